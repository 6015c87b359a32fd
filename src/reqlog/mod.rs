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
//! Memory is bounded by [`LogCaps`]: entry count, body text per body, and a
//! total budget over [`store::footprint`]. An entry costs 256 B fixed (the
//! 248 B `Exchange` plus an 8 B filter index slot), 48 B per header plus the
//! header text, and its URL, bodies and error text. A typical API call (four
//! headers, a short JSON answer) is ~700 B, so 100,000 of them are ~65 MiB;
//! the deque's spare capacity (up to 248 B per slot) is not counted. The
//! default caps (50,000 entries, 16 KiB per body, 64 MiB total) hold that.

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
