//! The Request log pane: every exchange, newest last, with a filter, a
//! detail view and exports. The bounded store lives in [`crate::reqlog`].

use crate::reqlog::{LogCaps, RequestLog, Seq};
use crate::tui::keymap::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogDetail {
    pub seq: Seq,
    pub scroll: u16,
}

#[derive(Debug)]
pub struct LogPane {
    pub log: RequestLog,
    /// Selected entry, by sequence number (stable while entries arrive and drop).
    pub selected: Option<Seq>,
    /// Stick to the newest entry as entries arrive.
    pub follow: bool,
    pub detail: Option<LogDetail>,
    /// The filter expression as typed.
    pub filter_text: String,
}

impl Default for LogPane {
    fn default() -> Self {
        Self::new(LogCaps::default())
    }
}

impl LogPane {
    pub fn new(caps: LogCaps) -> Self {
        Self {
            log: RequestLog::new(caps),
            selected: None,
            follow: true,
            detail: None,
            filter_text: String::new(),
        }
    }

    pub fn context(&self) -> Context {
        if self.detail.is_some() {
            Context::LogDetail
        } else {
            Context::Log
        }
    }

    /// Row index of the selection in the filtered view (nearest if hidden).
    pub fn selected_row(&self) -> Option<usize> {
        let len = self.log.visible_len();
        if len == 0 {
            return None;
        }
        match self.selected {
            Some(seq) => Some(match self.log.visible_index_of(seq) {
                Ok(i) => i,
                Err(i) => i.min(len - 1),
            }),
            None => Some(len - 1),
        }
    }

    pub fn select_row(&mut self, row: usize) {
        let len = self.log.visible_len();
        if len == 0 {
            self.selected = None;
            return;
        }
        let row = row.min(len - 1);
        self.selected = self.log.visible_seq(row);
        self.follow = row == len - 1;
    }

    pub fn push(&mut self, exchange: crate::api::Exchange) {
        self.log.push(exchange);
        if self.follow {
            let len = self.log.visible_len();
            if len > 0 {
                self.selected = self.log.visible_seq(len - 1);
            }
        }
    }
}
