//! The request log's model, free of any UI: a bounded store of recorded
//! [`Exchange`](crate::api::Exchange)s with an incrementally maintained
//! filter view, row formatting, and exports (curl, HAR, clipboard, files).
//!
//! The UI owns one [`RequestLog`], feeds it from `Recorder::subscribe()`
//! with [`RequestLog::push`], and renders only
//! [`RequestLog::visible`]`(first..first + height)`. Every operation a frame
//! needs is O(rows on screen); pushes are O(1) amortised; a filter change is
//! one O(entries) scan.
//!
//! Memory is bounded by [`LogCaps`]: entry count, body bytes per body, and a
//! total budget. Each entry costs its [`footprint`](store::footprint) — about
//! 300 bytes of fixed overhead (the `Exchange` struct, ~250 B, plus 8 B of
//! filter index and deque slack), ~80 B per header, plus its strings — so
//! 100,000 small entries take roughly 60–80 MiB, and the default caps keep
//! the whole log under 64 MiB.

pub mod clipboard;
pub mod curl;
pub mod filter;
pub mod format;
pub mod har;
pub mod store;

pub use clipboard::{osc52, save_text};
pub use curl::to_curl;
pub use filter::{FilterError, LogFilter, StatusFilter};
pub use format::{Row, Short, StatusClass};
pub use har::{to_har, write_har};
pub use store::{LogCaps, RequestLog, Seq};
