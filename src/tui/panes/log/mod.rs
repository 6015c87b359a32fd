//! The Request log component: every exchange, newest last, with a filter, a
//! detail view and exports. The bounded store lives in [`crate::reqlog`].
//! Every row action works on the highlighted row, filtered or not.

pub mod detail;
pub mod view;

use crate::reqlog::{LogCaps, RequestLog, Seq};
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::cx::Cx;
use crate::tui::effect::Effect;
use crate::tui::keymap::Context;
use crate::tui::popup::ask::LogAsk;
use crate::tui::popup::{Ask, Outcome, Popup, Prompt, move_selection, scroll};

pub const LIST_COMMANDS: Table = Table {
    context: Context::Log,
    title: "Request log",
    commands: &[
        cmd(
            Action::Open,
            "details",
            "Show the highlighted exchange: headers and bodies",
        ),
        cmd(
            Action::Filter,
            "filter",
            "Filter: words (in:body also searches bodies), m:POST, s:4xx,5xx, s:failed, d:in, k:token",
        ),
        cmd(
            Action::CopyCurl,
            "copy curl",
            "Copy the highlighted exchange as curl (OSC 52) and save it to a file",
        ),
        cmd(Action::ExportHar, "HAR", "Export the (filtered) log as a HAR 1.2 file"),
        cmd(
            Action::OpenPager,
            "pager",
            "Open the highlighted exchange (request and response) in $PAGER, as the detail shows it",
        ),
        cmd(
            Action::ToggleFollow,
            "follow",
            "Follow new entries (stick to the newest)",
        ),
        cmd(Action::Back, "clear filter", "Clear the filter"),
    ],
};

pub const DETAIL_COMMANDS: Table = Table {
    context: Context::LogDetail,
    title: "Exchange detail",
    commands: &[
        cmd(Action::Back, "back", "Back to the list"),
        cmd(
            Action::CopyCurl,
            "copy curl",
            "Copy the exchange as curl (OSC 52) and save it to a file",
        ),
        cmd(
            Action::SaveCurl,
            "save curl",
            "Save the exchange as a curl command file",
        ),
        cmd(
            Action::OpenPager,
            "pager",
            "Open the exchange (request and response) in $PAGER (less -R if unset)",
        ),
    ],
};

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
    /// Calls sent and not answered yet, oldest first: shown as pending rows.
    pub pending: Vec<Pending>,
}

/// A request in flight (its exchange is recorded when it ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub key: String,
    pub method: &'static str,
    pub path: String,
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
            pending: Vec::new(),
        }
    }

    /// A call went out.
    pub fn sent(&mut self, call: &crate::tui::effect::Call) {
        let (method, path) = call.request_line();
        self.pending.push(Pending {
            key: call.key(),
            method,
            path,
        });
    }

    /// The answer with `key` came back.
    pub fn answered(&mut self, key: &str) {
        if let Some(i) = self.pending.iter().position(|p| p.key == key) {
            self.pending.remove(i);
        }
    }

    pub fn context(&self) -> Context {
        if self.detail.is_some() {
            Context::LogDetail
        } else {
            Context::Log
        }
    }

    pub fn commands(&self) -> Table {
        if self.detail.is_some() {
            DETAIL_COMMANDS
        } else {
            LIST_COMMANDS
        }
    }

    /// Row index of the highlight in the filtered view (the nearest row when
    /// the selected entry is filtered out).
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

    /// The exchange the highlight is on: what Enter and `c` act on.
    pub fn highlighted(&self) -> Option<Seq> {
        self.selected_row().and_then(|row| self.log.visible_seq(row))
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

    /// A key's action while the pane has focus; false when not handled here.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        if let Some(detail) = self.detail.as_mut() {
            match action {
                Action::Back => self.detail = None,
                Action::CopyCurl | Action::SaveCurl => {
                    let seq = detail.seq;
                    self.export_curl(seq, action == Action::CopyCurl, cx);
                }
                Action::OpenPager => {
                    let seq = detail.seq;
                    self.page(seq, cx);
                }
                other => return scroll(&mut detail.scroll, other),
            }
            return true;
        }
        match action {
            Action::Open => {
                if let Some(seq) = self.highlighted() {
                    self.selected = Some(seq);
                    self.detail = Some(LogDetail { seq, scroll: 0 });
                }
            }
            Action::Filter => cx.open(
                LogAsk::Filter,
                Popup::Prompt(Box::new(Prompt::new(
                    "Filter log (words; in:body searches bodies; m:POST s:4xx,5xx s:failed d:in k:token)",
                    &self.filter_text,
                ))),
            ),
            Action::Back if !self.filter_text.is_empty() => {
                self.filter_text.clear();
                let _ = self.log.set_filter_expr("");
            }
            Action::ToggleFollow => {
                self.follow = !self.follow;
                if self.follow {
                    let len = self.log.visible_len();
                    self.select_row(len.saturating_sub(1));
                }
            }
            Action::CopyCurl | Action::SaveCurl => {
                if let Some(seq) = self.highlighted() {
                    self.export_curl(seq, action == Action::CopyCurl, cx);
                }
            }
            Action::OpenPager => match self.highlighted() {
                Some(seq) => self.page(seq, cx),
                None => cx.error("no exchange to show yet"),
            },
            Action::ExportHar => {
                let har = crate::reqlog::to_har(self.log.visible(0..self.log.visible_len()));
                let text = serde_json::to_string_pretty(&har).unwrap_or_default();
                cx.effect(Effect::SaveText {
                    base_name: "egain-console.har".into(),
                    text,
                });
            }
            other => {
                let Some(mut row) = self.selected_row() else {
                    return false;
                };
                let len = self.log.visible_len();
                if !move_selection(&mut row, len, other) {
                    return false;
                }
                self.select_row(row);
            }
        }
        true
    }

    /// `v`: the exchange in `$PAGER`, as its detail view shows it (the log
    /// holds exchanges redacted already).
    fn page(&self, seq: Seq, cx: &mut Cx) {
        if let Some(exchange) = self.log.get(seq) {
            cx.effect(Effect::Pager(detail::detail_text(exchange)));
        }
    }

    fn export_curl(&self, seq: Seq, clipboard: bool, cx: &mut Cx) {
        let Some(exchange) = self.log.get(seq) else {
            return;
        };
        let curl = crate::reqlog::to_curl(exchange);
        let base_name = format!("exchange-{}.sh", exchange.id);
        if clipboard {
            cx.effect(Effect::Clipboard(curl.clone()));
        }
        cx.effect(Effect::SaveText { base_name, text: curl });
    }

    /// The filter prompt's text came back.
    pub fn on_outcome(&mut self, ask: LogAsk, outcome: Outcome, cx: &mut Cx) {
        let LogAsk::Filter = ask;
        if let Outcome::Text(text) = outcome {
            match self.log.set_filter_expr(&text) {
                Ok(()) => {
                    self.filter_text = text.trim().to_owned();
                    cx.popups.close(&Ask::Log(LogAsk::Filter));
                }
                Err(e) => cx.popups.reject(e.to_string()),
            }
        }
    }
}
