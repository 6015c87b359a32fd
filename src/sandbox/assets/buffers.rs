//! Upload buffers, reused across uploads: a buffer is filled from the
//! network, written to its file by the writer thread, then handed back, so
//! a steady stream of uploads allocates (and faults in) no new memory.

use std::sync::{Arc, Mutex};

/// Size of one buffer: the size of each file write.
pub(crate) const BUFFER_SIZE: usize = 256 * 1024;
/// Most idle buffers kept (4 MiB); more are freed when handed back.
const KEEP: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// An empty buffer of [`BUFFER_SIZE`] capacity.
    pub(crate) fn take(&self) -> Vec<u8> {
        let reused = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
        reused.unwrap_or_else(|| Vec::with_capacity(BUFFER_SIZE))
    }

    /// Hand a buffer back (emptied); past [`KEEP`] idle ones it is freed.
    pub(crate) fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if free.len() < KEEP && buffer.capacity() == BUFFER_SIZE {
            free.push(buffer);
        }
    }

    /// Idle buffers held.
    #[cfg(test)]
    fn idle(&self) -> usize {
        self.free.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_and_the_pool_is_capped() {
        let pool = BufferPool::new();
        let taken: Vec<Vec<u8>> = (0..KEEP + 4).map(|_| pool.take()).collect();
        assert!(taken.iter().all(|b| b.is_empty() && b.capacity() == BUFFER_SIZE));
        for mut b in taken {
            b.extend_from_slice(b"data");
            pool.give(b);
        }
        assert_eq!(pool.idle(), KEEP);
        let again = pool.take();
        assert!(again.is_empty());
        assert_eq!(pool.idle(), KEEP - 1);
    }
}
