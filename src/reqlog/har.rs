//! HAR 1.2 export (<http://www.softwareishard.com/blog/har-12-spec/>), so a
//! session can be opened in browser dev tools or HAR viewers and attached to
//! a support ticket. Everything comes from the recorded, redacted exchange.
//!
//! What HAR wants but the recorder does not keep is filled honestly: the
//! HTTP version is `""` (unknown), header sizes are `-1`, and the whole
//! duration is `timings.wait` (send and receive `0`). Extra fields, per the
//! spec's `_` convention: `_id`, `_kind`, `_direction` (`"outbound"` or
//! `"inbound"`), and `_error` for exchanges that got no answer (those have
//! `response.status` 0). Truncated or unrecorded bodies carry a `comment`.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use crate::api::{Direction, Exchange, RecordedBody};

use super::filter::kind_name;

/// A HAR 1.2 document holding `entries`, in order.
pub fn to_har<'a>(entries: impl IntoIterator<Item = &'a Exchange>) -> Value {
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "egain-console", "version": env!("CARGO_PKG_VERSION")},
            "pages": [],
            "entries": entries.into_iter().map(entry).collect::<Vec<_>>(),
        }
    })
}

/// Write [`to_har`] to `path` atomically: a temporary file beside it,
/// synced, then renamed over `path`, so a reader never sees half a file.
pub fn write_har<'a>(path: &Path, entries: impl IntoIterator<Item = &'a Exchange>) -> io::Result<()> {
    let har = to_har(entries);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("no file name in {}", path.display()),
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let mut file = io::BufWriter::new(std::fs::File::create_new(&tmp)?);
        serde_json::to_writer_pretty(&mut file, &har)?;
        file.write_all(b"\n")?;
        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn entry(x: &Exchange) -> Value {
    let ms = x.duration.as_secs_f64() * 1000.0;
    let mut e = json!({
        "startedDateTime": started(x.started),
        "time": ms,
        "request": request(x),
        "response": response(x),
        "cache": {},
        "timings": {"send": 0, "wait": ms, "receive": 0},
        "_id": x.id,
        "_kind": kind_name(x.kind),
        "_direction": match x.direction {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        },
    });
    if let (Some(error), Some(map)) = (&x.error, e.as_object_mut()) {
        map.insert("_error".into(), Value::String(error.clone()));
    }
    e
}

/// ISO 8601 with milliseconds, as browsers write it.
fn started(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn request(x: &Exchange) -> Value {
    let query: Vec<Value> = url::Url::parse(&x.url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect()
        })
        .unwrap_or_default();
    let mut r = json!({
        "method": x.method,
        "url": x.url,
        "httpVersion": "",
        "cookies": [],
        "headers": headers(&x.request_headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": x.request_body.as_ref().map_or(0, |b| b.size),
    });
    if let (Some(body), Some(map)) = (&x.request_body, r.as_object_mut()) {
        let mime = header(&x.request_headers, "content-type").unwrap_or("");
        let mut post = json!({"mimeType": mime, "text": if body.binary { "" } else { &body.text }});
        if mime.contains("x-www-form-urlencoded") && !body.binary {
            let params: Vec<Value> = url::form_urlencoded::parse(body.text.as_bytes())
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect();
            post["params"] = Value::Array(params);
        }
        if let Some(comment) = body_comment(body) {
            post["comment"] = Value::String(comment);
        }
        map.insert("postData".into(), post);
    }
    r
}

fn response(x: &Exchange) -> Value {
    let status = x.status.unwrap_or(0);
    let status_text = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mime = header(&x.response_headers, "content-type").unwrap_or("x-unknown");
    let mut content = json!({"size": x.response_body.as_ref().map_or(0, |b| b.size), "mimeType": mime});
    if let Some(body) = &x.response_body {
        if !body.binary {
            content["text"] = Value::String(body.text.clone());
        }
        if let Some(comment) = body_comment(body) {
            content["comment"] = Value::String(comment);
        }
    }
    let body_size = match (&x.response_body, x.status) {
        (Some(b), _) => b.size as i64,
        (None, Some(_)) => 0,
        (None, None) => -1,
    };
    json!({
        "status": status,
        "statusText": status_text,
        "httpVersion": "",
        "cookies": [],
        "headers": headers(&x.response_headers),
        "content": content,
        "redirectURL": header(&x.response_headers, "location").unwrap_or(""),
        "headersSize": -1,
        "bodySize": body_size,
    })
}

fn body_comment(body: &RecordedBody) -> Option<String> {
    if body.binary {
        Some(format!("not recorded: {}", body.text))
    } else if body.truncated {
        Some(format!(
            "truncated at recording: {} of {} bytes kept",
            body.text.len(),
            body.size
        ))
    } else {
        None
    }
}

fn headers(list: &[(String, String)]) -> Vec<Value> {
    list.iter().map(|(n, v)| json!({"name": n, "value": v})).collect()
}

fn header<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_has_milliseconds() {
        let at: jiff::Timestamp = "2021-03-28T14:29:01.5Z".parse().expect("ts");
        assert_eq!(started(at), "2021-03-28T14:29:01.500Z");
    }
}
