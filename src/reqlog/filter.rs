//! [`LogFilter`]: what the user typed in the request log's filter box.
//!
//! # Syntax
//!
//! Space-separated tokens; every token must hold for an entry to show.
//!
//! | token | meaning |
//! |---|---|
//! | `orders` | text, case-insensitive, in the method, URL, status code, error or kind |
//! | `"two words"` | text with spaces (`\"` and `\\` escape inside quotes) |
//! | `method:POST`, `m:get,put` | one of these methods |
//! | `status:4xx`, `s:2xx,404,failed` | status class `1xx`..`5xx`, an exact code, or `failed` (alias `err`: no answer, or a transport error) |
//! | `dir:in`, `d:out` | inbound (callbacks to the console) or outbound |
//! | `kind:token`, `k:api,upload` | `api`, `token`, `upload`, `download`, `callback` |
//! | `in:body` | text terms also search request and response bodies |
//!
//! Keys and values are case-insensitive; repeating a key adds to its list
//! (`m:get m:post` is `m:get,post`). A word such as `foo:bar` whose prefix is
//! not a key is an error (quote it to search for it); words like `12:30` or
//! `http://h/x` are plain text. [`LogFilter`]'s `Display` writes the canonical
//! form, which parses back to the same filter.

use std::fmt;

use crate::api::{Direction, Exchange, ExchangeKind};

/// Methods the filter accepts, so a typo (`m:pots`) is an error, not an empty log.
const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

/// Which entries the request log shows. The default shows everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Each must occur, case-insensitively (ASCII folding is allocation-free;
    /// non-ASCII terms fold Unicode at a cost).
    pub terms: Vec<String>,
    /// Terms also search body text.
    pub in_bodies: bool,
    /// Upper-case method names; `None` for any.
    pub methods: Option<Vec<String>>,
    pub status: Option<StatusFilter>,
    pub direction: Option<Direction>,
    pub kinds: Option<Vec<ExchangeKind>>,
}

/// Status codes to show: any listed class, code, or failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusFilter {
    /// `classes[0]` is 1xx, ..., `classes[4]` is 5xx.
    pub classes: [bool; 5],
    pub codes: Vec<u16>,
    /// Exchanges with no status or with an error.
    pub failed: bool,
}

impl StatusFilter {
    pub fn matches(&self, status: Option<u16>, error: Option<&str>) -> bool {
        if self.failed && (status.is_none() || error.is_some()) {
            return true;
        }
        let Some(code) = status else { return false };
        let class = usize::from(code / 100);
        (1..=5).contains(&class) && self.classes[class - 1] || self.codes.contains(&code)
    }
}

impl LogFilter {
    /// A filter on text only, matched as one substring.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            terms: if text.is_empty() { Vec::new() } else { vec![text] },
            ..Self::default()
        }
    }

    /// Whether this filter shows everything.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.methods.is_none()
            && self.status.is_none()
            && self.direction.is_none()
            && self.kinds.is_none()
    }

    /// Parse the filter box's text (see the module docs for the syntax).
    pub fn parse(input: &str) -> Result<Self, FilterError> {
        let mut filter = Self::default();
        for token in tokens(input)? {
            filter.add(token)?;
        }
        Ok(filter)
    }

    fn add(&mut self, token: Token<'_>) -> Result<(), FilterError> {
        let bare = token.raw;
        let key_value = (!token.quoted && !bare.contains("://"))
            .then(|| bare.split_once(':'))
            .flatten()
            .filter(|(key, _)| !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic()));
        let Some((key, value)) = key_value else {
            self.terms.push(token.text);
            return Ok(());
        };
        let err = |reason| FilterError {
            at: token.at,
            token: bare.to_owned(),
            reason,
        };
        let key = key.to_ascii_lowercase();
        let known = matches!(
            key.as_str(),
            "method" | "m" | "status" | "s" | "dir" | "d" | "kind" | "k" | "in"
        );
        if !known {
            return Err(err(Reason::UnknownKey(key)));
        }
        if value.is_empty() {
            return Err(err(Reason::MissingValue));
        }
        for item in value.split(',') {
            let item = item.to_ascii_lowercase();
            if item.is_empty() {
                return Err(err(Reason::EmptyItem));
            }
            match key.as_str() {
                "method" | "m" => {
                    let upper = item.to_ascii_uppercase();
                    if !METHODS.contains(&upper.as_str()) {
                        return Err(err(Reason::Method(item)));
                    }
                    let methods = self.methods.get_or_insert_default();
                    if !methods.contains(&upper) {
                        methods.push(upper);
                    }
                }
                "status" | "s" => {
                    let status = self.status.get_or_insert_default();
                    match parse_status(&item) {
                        Some(StatusItem::Class(c)) => status.classes[usize::from(c) - 1] = true,
                        Some(StatusItem::Code(code)) if !status.codes.contains(&code) => status.codes.push(code),
                        Some(StatusItem::Code(_)) => {}
                        Some(StatusItem::Failed) => status.failed = true,
                        None => return Err(err(Reason::Status(item))),
                    }
                }
                "dir" | "d" => {
                    let dir = match item.as_str() {
                        "in" | "inbound" => Direction::Inbound,
                        "out" | "outbound" => Direction::Outbound,
                        _ => return Err(err(Reason::Direction(item))),
                    };
                    if self.direction.is_some_and(|d| d != dir) {
                        return Err(err(Reason::BothDirections));
                    }
                    self.direction = Some(dir);
                }
                "kind" | "k" => {
                    let kind = kind_of(&item).ok_or_else(|| err(Reason::Kind(item)))?;
                    let kinds = self.kinds.get_or_insert_default();
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                _ => match item.as_str() {
                    "body" | "bodies" => self.in_bodies = true,
                    _ => return Err(err(Reason::In(item))),
                },
            }
        }
        Ok(())
    }

    /// Whether `x` shows under this filter.
    pub fn matches(&self, x: &Exchange) -> bool {
        if self.direction.is_some_and(|d| d != x.direction)
            || self.kinds.as_ref().is_some_and(|k| !k.contains(&x.kind))
            || self
                .methods
                .as_ref()
                .is_some_and(|m| !m.iter().any(|m| m.eq_ignore_ascii_case(&x.method)))
            || self
                .status
                .as_ref()
                .is_some_and(|s| !s.matches(x.status, x.error.as_deref()))
        {
            return false;
        }
        if self.terms.is_empty() {
            return true;
        }
        let mut digits = [0u8; 5];
        let status = x.status.map(|s| status_digits(s, &mut digits)).unwrap_or("");
        self.terms.iter().all(|term| {
            contains_ci(&x.method, term)
                || contains_ci(&x.url, term)
                || contains_ci(status, term)
                || x.error.as_deref().is_some_and(|e| contains_ci(e, term))
                || contains_ci(kind_name(x.kind), term)
                || self.in_bodies
                    && [&x.request_body, &x.response_body]
                        .into_iter()
                        .flatten()
                        .any(|b| !b.binary && contains_ci(&b.text, term))
        })
    }
}

impl fmt::Display for LogFilter {
    /// The canonical expression, e.g. `orders m:POST s:4xx,failed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self.terms.iter().map(|t| quote_term(t)).collect();
        if let Some(methods) = &self.methods {
            parts.push(format!("m:{}", methods.join(",")));
        }
        if let Some(s) = &self.status {
            let mut items: Vec<String> = (1..=5u8)
                .filter(|c| s.classes[usize::from(*c) - 1])
                .map(|c| format!("{c}xx"))
                .collect();
            items.extend(s.codes.iter().map(u16::to_string));
            if s.failed {
                items.push("failed".into());
            }
            parts.push(format!("s:{}", items.join(",")));
        }
        if let Some(d) = self.direction {
            parts.push(if d == Direction::Inbound { "d:in" } else { "d:out" }.into());
        }
        if let Some(kinds) = &self.kinds {
            let names: Vec<&str> = kinds.iter().map(|k| kind_name(*k)).collect();
            parts.push(format!("k:{}", names.join(",")));
        }
        if self.in_bodies {
            parts.push("in:body".into());
        }
        f.write_str(&parts.join(" "))
    }
}

/// Lower-case name of a kind, as the filter and the HAR export spell it.
pub fn kind_name(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Api => "api",
        ExchangeKind::Token => "token",
        ExchangeKind::Upload => "upload",
        ExchangeKind::Download => "download",
        ExchangeKind::Callback => "callback",
    }
}

fn kind_of(name: &str) -> Option<ExchangeKind> {
    Some(match name {
        "api" => ExchangeKind::Api,
        "token" => ExchangeKind::Token,
        "upload" => ExchangeKind::Upload,
        "download" => ExchangeKind::Download,
        "callback" => ExchangeKind::Callback,
        _ => return None,
    })
}

enum StatusItem {
    Class(u8),
    Code(u16),
    Failed,
}

fn parse_status(item: &str) -> Option<StatusItem> {
    match item {
        "failed" | "fail" | "err" | "error" => return Some(StatusItem::Failed),
        _ => {}
    }
    if let Some(class) = item.strip_suffix("xx")
        && let Ok(c @ 1..=5) = class.parse::<u8>()
    {
        return Some(StatusItem::Class(c));
    }
    match item.parse::<u16>() {
        Ok(code @ 100..=599) if item.len() == 3 => Some(StatusItem::Code(code)),
        _ => None,
    }
}

/// A status code as text in `buf`, without allocating.
fn status_digits(code: u16, buf: &mut [u8; 5]) -> &str {
    let mut n = code;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("")
}

/// Case-insensitive substring test; allocation-free for ASCII needles
/// (ASCII bytes never occur inside multi-byte UTF-8, so byte windows are exact).
pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else { return true };
    if !needle.is_ascii() {
        return hay.to_lowercase().contains(&needle.to_lowercase());
    }
    if n.len() > h.len() {
        return false;
    }
    let first = first.to_ascii_lowercase();
    h.windows(n.len())
        .any(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(n))
}

fn quote_term(t: &str) -> String {
    let plain = !t.is_empty()
        && !t.starts_with('"')
        && !t.contains(char::is_whitespace)
        && LogFilter::parse(t).is_ok_and(|f| f.terms.len() == 1 && f.terms[0] == t);
    if plain {
        return t.to_owned();
    }
    let mut q = String::with_capacity(t.len() + 2);
    q.push('"');
    for c in t.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

struct Token<'a> {
    /// Byte offset in the input.
    at: usize,
    /// The token as typed.
    raw: &'a str,
    /// Its text, unquoted.
    text: String,
    quoted: bool,
}

fn tokens(input: &str) -> Result<Vec<Token<'_>>, FilterError> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut text = String::new();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, e)) => text.push(e),
                        None => break,
                    },
                    _ => text.push(c),
                }
            }
            let Some(end) = end else {
                return Err(FilterError {
                    at,
                    token: input[at..].to_owned(),
                    reason: Reason::UnterminatedQuote,
                });
            };
            out.push(Token {
                at,
                raw: &input[at..end],
                text,
                quoted: true,
            });
        } else {
            let mut end = input.len();
            while let Some(&(i, c)) = chars.peek() {
                if c.is_whitespace() {
                    end = i;
                    break;
                }
                chars.next();
            }
            let raw = &input[at..end];
            out.push(Token {
                at,
                raw,
                text: raw.to_owned(),
                quoted: false,
            });
        }
    }
    Ok(out)
}

/// A token the filter syntax does not accept, with where it starts so the
/// UI can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{token}`: {reason}")]
pub struct FilterError {
    /// Byte offset of the token in the input.
    pub at: usize,
    pub token: String,
    pub reason: Reason,
}

/// Why a filter token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("unknown key `{0}:` (keys: method/m, status/s, dir/d, kind/k, in; quote the word to search for it)")]
    UnknownKey(String),
    #[error("missing value after the colon")]
    MissingValue,
    #[error("empty item in the comma-separated list")]
    EmptyItem,
    #[error("unknown method `{0}` (expected GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE or CONNECT)")]
    Method(String),
    #[error("unknown status `{0}` (expected 1xx..5xx, a code 100..599, or failed)")]
    Status(String),
    #[error("unknown direction `{0}` (expected in or out)")]
    Direction(String),
    #[error("both directions given; leave dir: out to see both")]
    BothDirections,
    #[error("unknown kind `{0}` (expected api, token, upload, download or callback)")]
    Kind(String),
    #[error("unknown scope `{0}` (expected body)")]
    In(String),
    #[error("unterminated quote")]
    UnterminatedQuote,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_search() {
        assert!(contains_ci("GET /Orders/1", "orders"));
        assert!(contains_ci("ÄRGER orders", "ORDERS"));
        assert!(contains_ci("Ärger", "ärg"));
        assert!(!contains_ci("ord", "orders"));
        assert!(contains_ci("", ""));
    }

    #[test]
    fn digits() {
        let mut b = [0; 5];
        assert_eq!(status_digits(404, &mut b), "404");
        assert_eq!(status_digits(0, &mut b), "0");
    }

    #[test]
    fn canonical_form_round_trips() {
        for input in [
            "orders m:POST s:4xx",
            "m:get s:2xx,5xx,failed",
            "\"two words\" \"a\\\"b\" d:in k:token,callback in:body",
            "\"m:get\" 12:30 http://h/x",
        ] {
            let f = LogFilter::parse(input).expect(input);
            let again = LogFilter::parse(&f.to_string()).expect("canonical parses");
            assert_eq!(f, again, "{input} -> {f}");
        }
    }
}
