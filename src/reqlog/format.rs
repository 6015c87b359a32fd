//! Cells of a request log row, as pure functions. Nothing here touches the
//! heap: text is borrowed from the exchange or built in a [`Short`] on the
//! stack, so formatting the rows on screen costs nothing worth measuring.

use std::fmt::{self, Write as _};
use std::ops::Deref;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::Offset;

use crate::api::{Direction, Exchange};

/// A short string kept inline (at most 23 bytes; longer writes fail).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Short {
    buf: [u8; 23],
    len: u8,
}

impl Short {
    pub const fn new() -> Self {
        Self { buf: [0; 23], len: 0 }
    }

    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this cannot fail.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }

    fn of(args: fmt::Arguments<'_>) -> Self {
        let mut s = Self::new();
        // Every caller's output fits; a failure would only shorten the text.
        let _ = s.write_fmt(args);
        s
    }
}

impl Default for Short {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Write for Short {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = usize::from(self.len);
        let end = start + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[start..end].copy_from_slice(s.as_bytes());
        self.len = end as u8;
        Ok(())
    }
}

impl Deref for Short {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Short {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<Short> for String {
    fn from(s: Short) -> String {
        s.as_str().to_owned()
    }
}

/// What a row's status means, for colouring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// No answer and no error yet.
    Pending,
    /// No answer: transport error, timeout or cancellation.
    Failed,
    Informational,
    Success,
    Redirect,
    ClientError,
    ServerError,
}

pub fn status_class(x: &Exchange) -> StatusClass {
    match (x.status, &x.error) {
        (None, None) => StatusClass::Pending,
        (None, Some(_)) => StatusClass::Failed,
        (Some(code), _) => match code / 100 {
            1 => StatusClass::Informational,
            2 => StatusClass::Success,
            3 => StatusClass::Redirect,
            4 => StatusClass::ClientError,
            _ => StatusClass::ServerError,
        },
    }
}

/// `→` for requests the console made, `←` for callbacks it received.
pub fn arrow(direction: Direction) -> &'static str {
    match direction {
        Direction::Outbound => "→",
        Direction::Inbound => "←",
    }
}

/// `OUT` / `IN`, for terminals or fonts without arrows.
pub fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::Outbound => "OUT",
        Direction::Inbound => "IN",
    }
}

/// `HH:MM:SS.mmm` at `offset` from UTC (`Offset::UTC`, or the local offset
/// the UI looked up once).
pub fn time_of_day(at: Timestamp, offset: Offset) -> Short {
    let ms = at.as_millisecond() + i64::from(offset.seconds()) * 1000;
    let day_ms = ms.rem_euclid(86_400_000);
    let (h, m, s, milli) = (
        day_ms / 3_600_000,
        day_ms / 60_000 % 60,
        day_ms / 1000 % 60,
        day_ms % 1000,
    );
    Short::of(format_args!("{h:02}:{m:02}:{s:02}.{milli:03}"))
}

/// The status code, `ERR` for a failed exchange, `…` for one under way.
pub fn status(x: &Exchange) -> Short {
    match (x.status, &x.error) {
        (Some(code), _) => Short::of(format_args!("{code}")),
        (None, Some(_)) => Short::of(format_args!("ERR")),
        (None, None) => Short::of(format_args!("…")),
    }
}

/// A duration in the unit that keeps 3–4 significant digits, truncated:
/// `850 µs`, `123 ms`, `1.23 s`, `12.3 s`, `2m05s`, `1h02m`.
pub fn duration(d: Duration) -> Short {
    let ms = d.as_millis();
    match ms {
        0 => Short::of(format_args!("{} µs", d.as_micros())),
        1..1000 => Short::of(format_args!("{ms} ms")),
        1000..10_000 => Short::of(format_args!("{}.{:02} s", ms / 1000, ms / 10 % 100)),
        10_000..60_000 => Short::of(format_args!("{}.{} s", ms / 1000, ms / 100 % 10)),
        60_000..3_600_000 => Short::of(format_args!("{}m{:02}s", ms / 60_000, ms / 1000 % 60)),
        _ => Short::of(format_args!("{}h{:02}m", ms / 3_600_000, ms / 60_000 % 60)),
    }
}

/// Bytes in binary units, truncated: `512 B`, `1.2 KiB`, `12.0 KiB`... `123 KiB`, `4.0 MiB`.
pub fn size(bytes: u64) -> Short {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return Short::of(format_args!("{bytes} B"));
    }
    let mut scale: u128 = 1024;
    let mut unit = 0;
    while u128::from(bytes) >= scale * 1024 && unit + 1 < UNITS.len() {
        scale *= 1024;
        unit += 1;
    }
    let tenths = u128::from(bytes) * 10 / scale;
    if tenths < 100 {
        Short::of(format_args!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit]))
    } else {
        Short::of(format_args!("{} {}", tenths / 10, UNITS[unit]))
    }
}

/// True size of the answer's body (for uploads, of the request's), if any.
pub fn body_size(x: &Exchange) -> Option<u64> {
    x.response_body
        .as_ref()
        .filter(|b| b.size > 0)
        .or(x.request_body.as_ref())
        .map(|b| b.size)
}

/// Every cell of one row, borrowed from the exchange or held inline.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// `→` or `←`.
    pub arrow: &'static str,
    pub time: Short,
    pub method: &'a str,
    /// Path and query.
    pub path: &'a str,
    pub status: Short,
    pub class: StatusClass,
    pub duration: Short,
    /// Empty when the exchange had no body.
    pub size: Short,
}

impl<'a> Row<'a> {
    pub fn of(x: &'a Exchange, offset: Offset) -> Self {
        Self {
            arrow: arrow(x.direction),
            time: time_of_day(x.started, offset),
            method: &x.method,
            path: x.path(),
            status: status(x),
            class: status_class(x),
            duration: duration(x.duration),
            size: body_size(x).map(size).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ExchangeKind;

    #[test]
    fn durations() {
        let ms = Duration::from_millis;
        let cases = [
            (Duration::from_micros(850), "850 µs"),
            (ms(1), "1 ms"),
            (ms(999), "999 ms"),
            (ms(1234), "1.23 s"),
            (ms(9999), "9.99 s"),
            (ms(12_345), "12.3 s"),
            (ms(125_000), "2m05s"),
            (ms(3_720_000), "1h02m"),
        ];
        for (d, want) in cases {
            assert_eq!(duration(d).as_str(), want);
        }
    }

    #[test]
    fn sizes() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1229, "1.2 KiB"),
            (10 * 1024, "10 KiB"),
            (1024 * 1024 - 1, "1023 KiB"),
            (1024 * 1024, "1.0 MiB"),
            (u64::MAX, "15 EiB"),
        ];
        for (b, want) in cases {
            assert_eq!(size(b).as_str(), want, "{b}");
        }
    }

    #[test]
    fn times_and_statuses() {
        let at: Timestamp = "2021-03-28T14:29:01.516Z".parse().expect("ts");
        assert_eq!(time_of_day(at, Offset::UTC).as_str(), "14:29:01.516");
        let plus2 = Offset::from_hours(2).expect("offset");
        assert_eq!(time_of_day(at, plus2).as_str(), "16:29:01.516");
        let before_epoch: Timestamp = "1969-12-31T23:59:59.999Z".parse().expect("ts");
        assert_eq!(time_of_day(before_epoch, Offset::UTC).as_str(), "23:59:59.999");

        let mut x = Exchange::begin(Direction::Inbound, ExchangeKind::Callback, "POST", "http://h/cb?x=1");
        assert_eq!((status(&x).as_str(), status_class(&x)), ("…", StatusClass::Pending));
        x.error = Some("timed out".into());
        assert_eq!((status(&x).as_str(), status_class(&x)), ("ERR", StatusClass::Failed));
        x.error = None;
        x.status = Some(503);
        let row = Row::of(&x, Offset::UTC);
        assert_eq!(
            (row.arrow, row.path, row.status.as_str(), row.class, row.size.as_str()),
            ("←", "/cb?x=1", "503", StatusClass::ServerError, "")
        );
    }

    #[test]
    fn short_refuses_overflow_and_pads() {
        let mut s = Short::new();
        assert!(s.write_str(&"x".repeat(24)).is_err());
        assert_eq!(s.as_str(), "");
        assert_eq!(format!("{:>5}", Short::of(format_args!("ab"))), "   ab");
    }
}
