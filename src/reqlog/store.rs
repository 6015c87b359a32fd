//! [`RequestLog`]: recorded exchanges, newest last, bounded by [`LogCaps`],
//! with the indices of the entries matching the current [`LogFilter`] kept
//! up to date on every push, so a frame never scans the whole log.

use std::collections::VecDeque;
use std::ops::Range;

use crate::api::{Exchange, RecordedBody};

use super::filter::{FilterError, LogFilter};

/// Position of an entry in the log's whole history: 0 for the first entry
/// ever pushed, counting up. Unlike a visible index it stays valid while
/// entries arrive, drop off or the filter changes, so it is what a UI keeps
/// as "the selected entry".
pub type Seq = u64;

/// Limits that bound the log's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogCaps {
    /// Most entries kept; the oldest go first.
    pub max_entries: usize,
    /// Most body text kept per body (request and response each); longer
    /// bodies are cut at a UTF-8 boundary and marked truncated.
    pub max_body_bytes: usize,
    /// Most [`RequestLog::stored_bytes`] kept; the oldest entries go first
    /// (the newest entry always stays, whatever its size).
    pub max_total_bytes: usize,
}

impl Default for LogCaps {
    fn default() -> Self {
        Self {
            max_entries: 50_000,
            max_body_bytes: 16 * 1024,
            max_total_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The request log: a bounded deque of exchanges plus a filtered view.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<Exchange>,
    /// Seq of `entries[0]`.
    first_seq: Seq,
    /// Seqs of the entries matching `filter`, ascending.
    visible: VecDeque<Seq>,
    filter: LogFilter,
    caps: LogCaps,
    dropped: u64,
    stored_bytes: usize,
}

impl RequestLog {
    pub fn new(caps: LogCaps) -> Self {
        Self {
            caps,
            ..Self::default()
        }
    }

    pub fn caps(&self) -> LogCaps {
        self.caps
    }

    /// Apply new caps to what is stored now (one pass) and to what comes.
    pub fn set_caps(&mut self, caps: LogCaps) {
        self.caps = caps;
        let mut total = 0;
        for x in &mut self.entries {
            cap_bodies(x, caps.max_body_bytes);
            total += footprint(x);
        }
        self.stored_bytes = total;
        self.enforce_caps();
    }

    /// Append a newly recorded exchange; O(1) amortised plus one filter
    /// match of this entry.
    pub fn push(&mut self, mut exchange: Exchange) {
        cap_bodies(&mut exchange, self.caps.max_body_bytes);
        let seq = self.first_seq + self.entries.len() as Seq;
        if self.filter.matches(&exchange) {
            self.visible.push_back(seq);
        }
        self.stored_bytes += footprint(&exchange);
        self.entries.push_back(exchange);
        self.enforce_caps();
    }

    /// Drop every entry; the count of dropped entries restarts at zero
    /// (the user asked for a clean slate, not to be told what was lost).
    pub fn clear(&mut self) {
        self.first_seq += self.entries.len() as Seq;
        self.entries.clear();
        self.visible.clear();
        self.dropped = 0;
        self.stored_bytes = 0;
    }

    fn enforce_caps(&mut self) {
        while self.entries.len() > self.caps.max_entries
            || (self.stored_bytes > self.caps.max_total_bytes && self.entries.len() > 1)
        {
            let Some(old) = self.entries.pop_front() else { break };
            self.stored_bytes -= footprint(&old);
            if self.visible.front() == Some(&self.first_seq) {
                self.visible.pop_front();
            }
            self.first_seq += 1;
            self.dropped += 1;
        }
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries dropped to respect the caps since the log began (or was cleared).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Approximate memory held by the entries (see [`footprint`]).
    pub fn stored_bytes(&self) -> usize {
        self.stored_bytes
    }

    /// Every kept entry, oldest first, ignoring the filter.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Exchange> + ExactSizeIterator {
        self.entries.iter()
    }

    /// An entry by seq, if still kept.
    pub fn get(&self, seq: Seq) -> Option<&Exchange> {
        let i = seq.checked_sub(self.first_seq)?;
        self.entries.get(usize::try_from(i).ok()?)
    }

    pub fn filter(&self) -> &LogFilter {
        &self.filter
    }

    /// Replace the filter and rebuild the view: one pass over the entries.
    pub fn set_filter(&mut self, filter: LogFilter) {
        self.filter = filter;
        self.visible.clear();
        let first = self.first_seq;
        let filter = &self.filter;
        self.visible.extend(
            self.entries
                .iter()
                .enumerate()
                .filter(|(_, x)| filter.matches(x))
                .map(|(i, _)| first + i as Seq),
        );
    }

    /// Parse and apply a filter expression; on error the current filter stays.
    pub fn set_filter_expr(&mut self, expr: &str) -> Result<(), FilterError> {
        let filter = LogFilter::parse(expr)?;
        self.set_filter(filter);
        Ok(())
    }

    /// Entries matching the filter.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The matching entries in `range` (visible indices, clamped), oldest
    /// first: what the UI lays out for one screen.
    pub fn visible(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = &Exchange> + ExactSizeIterator {
        let end = range.end.min(self.visible.len());
        let start = range.start.min(end);
        self.visible
            .range(start..end)
            .map(|&seq| &self.entries[(seq - self.first_seq) as usize])
    }

    /// The seqs of the matching entries in `range`, like [`Self::visible`].
    pub fn visible_seqs(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = Seq> + ExactSizeIterator {
        let end = range.end.min(self.visible.len());
        let start = range.start.min(end);
        self.visible.range(start..end).copied()
    }

    /// The seq shown at visible index `i`.
    pub fn visible_seq(&self, i: usize) -> Option<Seq> {
        self.visible.get(i).copied()
    }

    /// The visible index of `seq`: `Ok(i)` when it matches the filter,
    /// `Err(i)` with the index where it would be (to keep a selection near).
    pub fn visible_index_of(&self, seq: Seq) -> Result<usize, usize> {
        self.visible.binary_search(&seq)
    }
}

/// Cut over-long text bodies to `limit` bytes; `size` stays the true size.
fn cap_bodies(x: &mut Exchange, limit: usize) {
    for body in [&mut x.request_body, &mut x.response_body].into_iter().flatten() {
        cap_body(body, limit);
    }
}

fn cap_body(body: &mut RecordedBody, limit: usize) {
    if body.binary || body.text.len() <= limit {
        return;
    }
    let mut end = limit;
    while !body.text.is_char_boundary(end) {
        end -= 1;
    }
    body.text.truncate(end);
    body.text.shrink_to_fit();
    body.truncated = true;
}

/// Approximate bytes an entry holds: the struct, one index slot, and the
/// lengths of its strings (capacity slack is not counted).
pub fn footprint(x: &Exchange) -> usize {
    const PAIR: usize = std::mem::size_of::<(String, String)>();
    let headers: usize = x
        .request_headers
        .iter()
        .chain(&x.response_headers)
        .map(|(k, v)| PAIR + k.len() + v.len())
        .sum();
    let bodies: usize = [&x.request_body, &x.response_body]
        .into_iter()
        .flatten()
        .map(|b| b.text.len())
        .sum();
    std::mem::size_of::<Exchange>()
        + std::mem::size_of::<Seq>()
        + x.method.len()
        + x.url.len()
        + headers
        + bodies
        + x.error.as_ref().map_or(0, String::len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Direction, ExchangeKind};

    fn x(status: u16) -> Exchange {
        let mut x = Exchange::begin(Direction::Outbound, ExchangeKind::Api, "GET", "http://h/a");
        x.status = Some(status);
        x
    }

    #[test]
    fn footprint_is_what_stored_bytes_sums() {
        let mut log = RequestLog::new(LogCaps::default());
        log.push(x(200));
        log.push(x(404));
        assert_eq!(log.stored_bytes(), 2 * footprint(&x(200)));
        log.clear();
        assert_eq!(log.stored_bytes(), 0);
        assert!(log.get(0).is_none() && log.get(1).is_none());
    }

    #[test]
    fn total_budget_drops_oldest_but_keeps_newest() {
        let one = footprint(&x(200));
        let mut log = RequestLog::new(LogCaps {
            max_total_bytes: one * 3,
            ..LogCaps::default()
        });
        for _ in 0..5 {
            log.push(x(200));
        }
        assert_eq!((log.len(), log.dropped()), (3, 2));
        log.set_caps(LogCaps {
            max_total_bytes: 0,
            ..LogCaps::default()
        });
        assert_eq!((log.len(), log.dropped()), (1, 4));
        assert_eq!(log.get(4).map(|e| e.status), Some(Some(200)));
    }

    #[test]
    fn body_cap_respects_char_boundaries() {
        let mut b = RecordedBody {
            text: "ééé".into(),
            size: 6,
            ..RecordedBody::default()
        };
        cap_body(&mut b, 3);
        assert_eq!((b.text.as_str(), b.size, b.truncated), ("é", 6, true));
    }
}
