//! Timestamps in the API's format: ISO 8601 UTC with milliseconds and `Z`.

/// Now, as `2021-03-28T14:29:01.516Z`.
pub fn now_iso() -> String {
    iso(jiff::Timestamp::now())
}

/// A timestamp in the API's format.
pub fn iso(ts: jiff::Timestamp) -> String {
    format!("{ts:.3}")
}
