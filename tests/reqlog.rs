//! The request log model: caps that tell the truth, the filter syntax and
//! its incremental view, curl and HAR exports (never a secret, proven with a
//! canary through a real sandbox), OSC 52 and non-overwriting saves.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use egain_console::api::models::{EntityKind, SenderType};
use egain_console::api::transfer::{Progress, ProgressFn};
use egain_console::api::{Client, Direction, Exchange, ExchangeKind, Paging, RecordedBody, Recorder};
use egain_console::reqlog::clipboard::save_text;
use egain_console::reqlog::filter::Reason;
use egain_console::reqlog::{LogCaps, LogFilter, RequestLog, StatusFilter, osc52, to_curl, to_har, write_har};
use egain_console::sandbox::{Credentials, SandboxConfig, Seed};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn ex(method: &str, url: &str, status: Option<u16>) -> Exchange {
    let mut x = Exchange::begin(Direction::Outbound, ExchangeKind::Api, method, url);
    x.status = status;
    x.duration = Duration::from_millis(12);
    x
}

fn text_body(text: &str) -> RecordedBody {
    RecordedBody {
        text: text.into(),
        size: text.len() as u64,
        ..RecordedBody::default()
    }
}

fn ids<'a>(it: impl Iterator<Item = &'a Exchange>) -> Vec<u64> {
    it.map(|x| x.id).collect()
}

/// A varied exchange, deterministic in `i`.
fn varied(i: u64) -> Exchange {
    let methods = ["GET", "POST", "PUT", "DELETE"];
    let statuses = [Some(200), Some(201), Some(404), Some(500), None, Some(302)];
    let mut x = ex(
        methods[(i % 4) as usize],
        &format!(
            "http://h/v3/{}/{i}",
            if i.is_multiple_of(3) { "orders" } else { "channels" }
        ),
        statuses[(i % 6) as usize],
    );
    x.id = i;
    if x.status.is_none() {
        x.error = Some("connection refused".into());
    }
    if i.is_multiple_of(7) {
        x.direction = Direction::Inbound;
        x.kind = ExchangeKind::Callback;
    }
    if i.is_multiple_of(5) {
        x.response_body = Some(text_body(&format!("{{\"needle\":\"Widget-{i}\"}}")));
    }
    x
}

#[test]
fn entry_cap_drops_oldest_and_counts_them() {
    let mut log = RequestLog::new(LogCaps {
        max_entries: 10,
        ..LogCaps::default()
    });
    for i in 0..25 {
        log.push(varied(i));
    }
    assert_eq!((log.len(), log.dropped(), log.visible_len()), (10, 15, 10));
    assert_eq!(ids(log.entries()), (15..25).collect::<Vec<_>>());
    assert!(log.get(14).is_none());
    assert_eq!(log.get(15).map(|x| x.id), Some(15));
    let one: usize = log.entries().map(egain_console::reqlog::store::footprint).sum();
    assert_eq!(log.stored_bytes(), one);
    log.clear();
    assert_eq!(
        (log.len(), log.dropped(), log.visible_len(), log.stored_bytes()),
        (0, 0, 0, 0)
    );
    log.push(varied(99));
    assert_eq!(log.get(25).map(|x| x.id), Some(99), "seqs keep counting after a clear");
}

#[test]
fn body_cap_re_truncates_and_keeps_the_true_size() {
    let mut log = RequestLog::new(LogCaps {
        max_body_bytes: 10,
        ..LogCaps::default()
    });
    let mut x = ex("POST", "http://h/a", Some(200));
    let mut already = text_body("0123456789abcdef");
    already.text.truncate(14);
    already.size = 1_000_000;
    already.truncated = true;
    x.request_body = Some(already);
    x.response_body = Some(text_body("short"));
    log.push(x);
    let mut bin = ex("POST", "http://h/upload", Some(201));
    bin.request_body = Some(RecordedBody::binary(Some("image/png"), 5_000_000));
    log.push(bin);

    let kept = log.get(0).expect("kept");
    let req = kept.request_body.as_ref().expect("request body");
    assert_eq!(
        (req.text.as_str(), req.size, req.truncated),
        ("0123456789", 1_000_000, true)
    );
    let resp = kept.response_body.as_ref().expect("response body");
    assert_eq!((resp.text.as_str(), resp.size, resp.truncated), ("short", 5, false));
    let bin = log.get(1).and_then(|x| x.request_body.as_ref()).expect("binary");
    assert!(bin.binary && !bin.truncated && bin.size == 5_000_000);
    assert!(
        bin.text.contains("5000000 bytes"),
        "descriptions are not cut: {}",
        bin.text
    );

    // Lowering the cap later applies to what is stored, and the total follows.
    let before = log.stored_bytes();
    log.set_caps(LogCaps {
        max_body_bytes: 4,
        ..LogCaps::default()
    });
    let req = log.get(0).and_then(|x| x.request_body.as_ref()).expect("request body");
    assert_eq!(req.text, "0123");
    assert_eq!(log.stored_bytes(), before - 6 - 1);
}

#[test]
fn filter_syntax_parses_what_the_docs_promise() {
    let f = LogFilter::parse("orders method:POST status:4xx").expect("parse");
    assert_eq!(f.terms, vec!["orders"]);
    assert_eq!(f.methods, Some(vec!["POST".to_owned()]));
    assert_eq!(
        f.status,
        Some(StatusFilter {
            classes: [false, false, false, true, false],
            ..StatusFilter::default()
        })
    );

    let f = LogFilter::parse("  m:get M:Put,get  s:2xx,5xx,404,err ").expect("parse");
    assert_eq!(f.methods, Some(vec!["GET".to_owned(), "PUT".to_owned()]));
    let s = f.status.as_ref().expect("status");
    assert_eq!(
        (s.classes, s.codes.as_slice(), s.failed),
        ([false, true, false, false, true], &[404][..], true)
    );
    assert!(f.terms.is_empty());

    let f = LogFilter::parse(r#""two words" d:in k:callback,token in:body 12:30 http://h/x"#).expect("parse");
    assert_eq!(f.terms, vec!["two words", "12:30", "http://h/x"]);
    assert_eq!(f.direction, Some(Direction::Inbound));
    assert_eq!(f.kinds, Some(vec![ExchangeKind::Callback, ExchangeKind::Token]));
    assert!(f.in_bodies);
    assert_eq!(
        f.to_string(),
        r#""two words" 12:30 http://h/x d:in k:callback,token in:body"#
    );

    assert!(LogFilter::parse("").expect("empty").is_empty());
    assert!(LogFilter::parse("in:body").expect("scope only").is_empty());
    assert!(!LogFilter::parse("s:failed").expect("failed").is_empty());
}

#[test]
fn filter_syntax_errors_point_at_the_token() {
    let cases: &[(&str, usize, &str)] = &[
        ("orders foo:bar", 7, "unknown key `foo:`"),
        ("m:", 0, "missing value"),
        ("m:get,", 0, "empty item"),
        ("x m:pots", 2, "unknown method `pots`"),
        ("s:6xx", 0, "unknown status `6xx`"),
        ("s:4040", 0, "unknown status `4040`"),
        ("s:99", 0, "unknown status"),
        ("d:sideways", 0, "unknown direction"),
        ("d:in dir:out", 5, "both directions"),
        ("k:ftp", 0, "unknown kind `ftp`"),
        ("in:headers", 0, "unknown scope"),
        ("ok \"open", 3, "unterminated quote"),
    ];
    for (input, at, message) in cases {
        let err = LogFilter::parse(input).expect_err(input);
        assert_eq!(err.at, *at, "{input}: {err}");
        assert!(err.to_string().contains(message), "{input}: {err}");
    }
    let err = LogFilter::parse("foo:bar").expect_err("unknown key");
    assert!(matches!(err.reason, Reason::UnknownKey(ref k) if k == "foo"));
    assert!(err.to_string().contains("quote"), "says how to search for it: {err}");
    // A bad expression leaves the log's filter as it was.
    let mut log = RequestLog::default();
    log.set_filter_expr("m:post").expect("good");
    assert!(log.set_filter_expr("m:pots").is_err());
    assert_eq!(log.filter().to_string(), "m:POST");
}

#[test]
fn filter_matches_fields_and_bodies_only_when_asked() {
    let mut failed = ex("GET", "http://h/v3/orders", None);
    failed.error = Some("Connection Refused".into());
    let mut inbound = ex("POST", "http://127.0.0.1:9/callback", Some(200));
    inbound.direction = Direction::Inbound;
    inbound.kind = ExchangeKind::Callback;
    inbound.response_body = Some(text_body("Gadget"));
    let ok = ex("PUT", "http://h/v3/Channels/1", Some(204));
    let mut log = RequestLog::default();
    for (i, mut x) in [failed, inbound, ok].into_iter().enumerate() {
        x.id = i as u64;
        log.push(x);
    }
    let shown = |log: &mut RequestLog, expr: &str| {
        log.set_filter_expr(expr).expect(expr);
        ids(log.visible(0..usize::MAX))
    };
    assert_eq!(shown(&mut log, ""), vec![0, 1, 2]);
    assert_eq!(shown(&mut log, "CHANNELS"), vec![2]);
    assert_eq!(shown(&mut log, "refused"), vec![0]);
    assert_eq!(shown(&mut log, "s:err"), vec![0]);
    assert_eq!(shown(&mut log, "204"), vec![2]);
    assert_eq!(shown(&mut log, "s:2xx"), vec![1, 2]);
    assert_eq!(shown(&mut log, "s:2xx,failed m:get,put"), vec![0, 2]);
    assert_eq!(shown(&mut log, "d:in"), vec![1]);
    assert_eq!(shown(&mut log, "k:callback"), vec![1]);
    assert_eq!(shown(&mut log, "callback"), vec![1]);
    assert_eq!(shown(&mut log, "gadget"), Vec::<u64>::new());
    assert_eq!(shown(&mut log, "gadget in:body"), vec![1]);
    assert_eq!(shown(&mut log, "v3 put"), vec![2], "every term must match");
}

#[test]
fn filtered_view_follows_pushes_and_drops_like_a_rescan() {
    let caps = LogCaps {
        max_entries: 300,
        ..LogCaps::default()
    };
    for expr in [
        "",
        "orders",
        "m:get,delete s:4xx,failed",
        "d:in",
        "widget in:body",
        "s:302",
    ] {
        let mut log = RequestLog::new(caps);
        log.set_filter_expr(expr).expect(expr);
        for i in 0..1000 {
            log.push(varied(i));
            if i % 97 == 0 || i == 999 {
                let filter = log.filter().clone();
                let want: Vec<u64> = log.entries().filter(|x| filter.matches(x)).map(|x| x.id).collect();
                assert_eq!(ids(log.visible(0..log.visible_len())), want, "{expr} after {i}");
                let mut rescanned = RequestLog::new(caps);
                log.entries().cloned().for_each(|x| rescanned.push(x));
                rescanned.set_filter(filter);
                assert_eq!(ids(rescanned.visible(0..usize::MAX)), want);
            }
        }
        assert_eq!(log.dropped(), 700);
        assert!(
            expr.is_empty() || log.visible_len() < log.len(),
            "{expr} filters something"
        );
        assert!(log.visible_len() > 0, "{expr} matches something");
    }
}

#[test]
fn visible_ranges_clamp_and_selection_survives() {
    let mut log = RequestLog::new(LogCaps {
        max_entries: 50,
        ..LogCaps::default()
    });
    for i in 0..60 {
        log.push(varied(i));
    }
    log.set_filter_expr("s:5xx").expect("filter");
    // 5xx are i % 6 == 3 among ids 10..60: 15, 21, ..., 57.
    let want: Vec<u64> = (10..60).filter(|i| i % 6 == 3).collect();
    assert_eq!(ids(log.visible(0..100)), want);
    assert_eq!(ids(log.visible(2..4)), want[2..4].to_vec());
    assert_eq!(log.visible(std::ops::Range { start: 7, end: 3 }).count(), 0);
    assert_eq!(log.visible(100..200).count(), 0);
    assert_eq!(ids(log.visible(0..100).rev().take(1)), vec![57]);

    let selected = log.visible_seq(3).expect("selection");
    assert_eq!(log.get(selected).map(|x| x.id), Some(want[3]));
    log.set_filter_expr("").expect("clear filter");
    let i = log.visible_index_of(selected).expect("still visible");
    assert_eq!(log.visible(i..i + 1).next().map(|x| x.id), Some(want[3]));
    log.set_filter_expr("s:2xx").expect("filter");
    let near = log.visible_index_of(selected).expect_err("hidden now");
    assert!(log.visible_seqs(0..near).all(|s| s < selected));
    assert!(log.visible_seqs(near..usize::MAX).all(|s| s > selected));
}

/// The words a POSIX shell makes of `command`, with `curl` replaced by a
/// function that prints its arguments.
fn shell_words(command: &str, env: &[(&str, &str)]) -> Vec<String> {
    let script = format!("curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }}\n{command}\n");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    text.split_terminator('\0').map(str::to_owned).collect()
}

#[test]
fn curl_quotes_everything_a_shell_could_misread() {
    let mut x = ex("POST", "http://h/v3/it's?a=1&b=$HOME", Some(201));
    x.request_headers = vec![
        ("content-type".into(), "application/json".into()),
        ("x-note".into(), "it's `$(rm -rf /)` \"quoted\"".into()),
        ("authorization".into(), "Bearer [REDACTED]".into()),
        ("content-length".into(), "42".into()),
    ];
    let body = "{\"text\":\"it's $HOME and 'quotes'\\n\",\"password\":\"[REDACTED]\"}\nsecond line";
    x.request_body = Some(text_body(body));
    let cmd = to_curl(&x);
    assert!(
        cmd.contains("\"Authorization: Bearer $EGAIN_TOKEN\"")
            || cmd.contains("\"authorization: Bearer $EGAIN_TOKEN\""),
        "{cmd}"
    );
    assert!(cmd.contains("# needs: export EGAIN_TOKEN="), "{cmd}");
    assert!(
        cmd.contains("fill them in"),
        "redacted body fields are called out: {cmd}"
    );
    let words = shell_words(&cmd, &[("EGAIN_TOKEN", "tok-1")]);
    assert_eq!(
        words,
        vec![
            "-X",
            "POST",
            "http://h/v3/it's?a=1&b=$HOME",
            "-H",
            "content-type: application/json",
            "-H",
            "x-note: it's `$(rm -rf /)` \"quoted\"",
            "-H",
            "authorization: Bearer tok-1",
            "--data-raw",
            body,
        ]
    );
}

#[test]
fn curl_token_request_reads_the_secret_from_a_variable() {
    let mut x = ex("POST", "http://h/oauth2/token", Some(200));
    x.kind = ExchangeKind::Token;
    x.request_headers = vec![("content-type".into(), "application/x-www-form-urlencoded".into())];
    x.request_body = Some(text_body(
        "grant_type=client_credentials&client_id=c&client_secret=[REDACTED]&scope=a+b",
    ));
    let cmd = to_curl(&x);
    assert!(
        cmd.contains("--data-urlencode \"client_secret=$EGAIN_CLIENT_SECRET\""),
        "{cmd}"
    );
    let words = shell_words(&cmd, &[("EGAIN_CLIENT_SECRET", "s3cr&t")]);
    assert_eq!(
        words[words.len() - 4..],
        [
            "--data-raw",
            "grant_type=client_credentials&client_id=c&scope=a+b",
            "--data-urlencode",
            "client_secret=s3cr&t"
        ]
    );
}

#[test]
fn curl_binary_truncated_get_head_and_inbound() {
    let mut up = ex("POST", "http://h/storage?signature=[REDACTED]", Some(201));
    up.kind = ExchangeKind::Upload;
    up.request_headers = vec![("content-type".into(), "image/png".into())];
    up.request_body = Some(RecordedBody::binary(Some("image/png"), 1234));
    let cmd = to_curl(&up);
    assert!(cmd.contains("--data-binary @FILE"), "{cmd}");
    assert!(cmd.contains("# the 1234-byte image/png body was not recorded"), "{cmd}");
    assert!(cmd.contains("freshly signed URL"), "{cmd}");

    let mut cut = ex("PUT", "http://h/a", Some(200));
    cut.request_body = Some(RecordedBody {
        text: "{\"a\":".into(),
        size: 900,
        truncated: true,
        binary: false,
    });
    assert!(to_curl(&cut).contains("5 of 900 bytes kept"));

    let get = ex("GET", "http://h/v3/channels?limit=5", Some(200));
    assert_eq!(to_curl(&get), "curl 'http://h/v3/channels?limit=5'");
    assert_eq!(to_curl(&ex("HEAD", "http://h/", Some(200))), "curl --head http://h/");

    let mut cb = ex("POST", "http://127.0.0.1:7/callback", Some(200));
    cb.direction = Direction::Inbound;
    assert!(to_curl(&cb).starts_with("# replays a callback the console received\n"));
}

/// Required members of HAR 1.2 objects, with their JSON types.
fn require(v: &Value, at: &str, fields: &[(&str, &str)]) {
    for (name, ty) in fields {
        let f = v.get(name).unwrap_or_else(|| panic!("{at}.{name} missing in {v}"));
        let ok = match *ty {
            "string" => f.is_string(),
            "number" => f.is_number(),
            "object" => f.is_object(),
            "array" => f.is_array(),
            _ => unreachable!(),
        };
        assert!(ok, "{at}.{name} is not a {ty}: {f}");
    }
}

fn check_har(har: &Value) {
    let log = &har["log"];
    require(
        log,
        "log",
        &[("version", "string"), ("creator", "object"), ("entries", "array")],
    );
    assert_eq!(log["version"], "1.2");
    require(&log["creator"], "creator", &[("name", "string"), ("version", "string")]);
    for e in log["entries"].as_array().expect("entries") {
        require(
            e,
            "entry",
            &[
                ("startedDateTime", "string"),
                ("time", "number"),
                ("request", "object"),
                ("response", "object"),
                ("cache", "object"),
                ("timings", "object"),
            ],
        );
        let started = e["startedDateTime"].as_str().expect("string");
        started.parse::<jiff::Timestamp>().expect("ISO 8601");
        let nv = [("name", "string"), ("value", "string")];
        let req = &e["request"];
        require(
            req,
            "request",
            &[
                ("method", "string"),
                ("url", "string"),
                ("httpVersion", "string"),
                ("cookies", "array"),
                ("headers", "array"),
                ("queryString", "array"),
                ("headersSize", "number"),
                ("bodySize", "number"),
            ],
        );
        for h in req["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(req["queryString"].as_array().into_iter().flatten())
        {
            require(h, "request pair", &nv);
        }
        if let Some(post) = req.get("postData") {
            require(post, "postData", &[("mimeType", "string"), ("text", "string")]);
        }
        let resp = &e["response"];
        require(
            resp,
            "response",
            &[
                ("status", "number"),
                ("statusText", "string"),
                ("httpVersion", "string"),
                ("cookies", "array"),
                ("headers", "array"),
                ("content", "object"),
                ("redirectURL", "string"),
                ("headersSize", "number"),
                ("bodySize", "number"),
            ],
        );
        for h in resp["headers"].as_array().into_iter().flatten() {
            require(h, "response header", &nv);
        }
        require(
            &resp["content"],
            "content",
            &[("size", "number"), ("mimeType", "string")],
        );
        let t = &e["timings"];
        require(
            t,
            "timings",
            &[("send", "number"), ("wait", "number"), ("receive", "number")],
        );
        let sum = t["send"].as_f64().unwrap_or(-1.0)
            + t["wait"].as_f64().unwrap_or(-1.0)
            + t["receive"].as_f64().unwrap_or(-1.0);
        assert!(
            (sum - e["time"].as_f64().unwrap_or(-2.0)).abs() < 1e-6,
            "timings add up to time: {e}"
        );
    }
}

#[test]
fn har_has_every_required_field_and_says_what_is_missing() {
    let mut ok = ex("POST", "http://h/v3/channels?limit=5&offset=1", Some(201));
    ok.id = 1;
    ok.request_headers = vec![("content-type".into(), "application/json".into())];
    ok.request_body = Some(text_body("{\"name\":\"c\"}"));
    ok.response_headers = vec![
        ("Content-Type".into(), "application/json".into()),
        ("location".into(), "http://h/v3/channels/9".into()),
    ];
    ok.response_body = Some(RecordedBody {
        text: "{\"id\":".into(),
        size: 4000,
        truncated: true,
        binary: false,
    });
    let mut failed = ex("GET", "http://h/v3/x", None);
    failed.error = Some("timed out".into());
    let mut inbound = ex("POST", "http://127.0.0.1:7/cb", Some(200));
    inbound.direction = Direction::Inbound;
    inbound.kind = ExchangeKind::Callback;
    let mut up = ex("POST", "http://h/storage", Some(201));
    up.request_body = Some(RecordedBody::binary(Some("image/png"), 77));
    let mut token = ex("POST", "http://h/token", Some(200));
    token.request_headers = vec![("content-type".into(), "application/x-www-form-urlencoded".into())];
    token.request_body = Some(text_body("grant_type=client_credentials&client_id=c"));

    let entries = [ok, failed, inbound, up, token];
    let har = to_har(&entries);
    check_har(&har);
    let e = har["log"]["entries"].as_array().expect("entries");
    assert_eq!(e.len(), 5);
    assert_eq!(e[0]["time"], 12.0);
    assert_eq!(
        e[0]["request"]["queryString"],
        json!([{"name": "limit", "value": "5"}, {"name": "offset", "value": "1"}])
    );
    assert_eq!(e[0]["request"]["postData"]["text"], "{\"name\":\"c\"}");
    assert_eq!(e[0]["response"]["statusText"], "Created");
    assert_eq!(e[0]["response"]["redirectURL"], "http://h/v3/channels/9");
    assert_eq!(e[0]["response"]["content"]["size"], 4000);
    assert_eq!(
        e[0]["response"]["content"]["comment"],
        "truncated at recording: 6 of 4000 bytes kept"
    );
    assert_eq!(e[0]["_direction"], "outbound");
    assert!(e[0].get("_error").is_none());
    assert_eq!(
        (e[1]["response"]["status"].as_u64(), &e[1]["_error"]),
        (Some(0), &json!("timed out"))
    );
    assert_eq!(
        (&e[2]["_direction"], &e[2]["_kind"]),
        (&json!("inbound"), &json!("callback"))
    );
    assert_eq!(e[3]["request"]["bodySize"], 77);
    assert_eq!(e[3]["request"]["postData"]["text"], "");
    assert!(
        e[3]["request"]["postData"]["comment"]
            .as_str()
            .is_some_and(|c| c.contains("77 bytes"))
    );
    assert_eq!(
        e[4]["request"]["postData"]["params"][1],
        json!({"name": "client_id", "value": "c"})
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("session.har");
    std::fs::write(&path, "old").expect("seed");
    write_har(&path, &entries).expect("write");
    let back: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(back, har);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec!["session.har"], "no temporary file is left behind");
    assert!(write_har(&dir.path().join("missing/x.har"), &entries).is_err());
}

#[tokio::test]
async fn exports_of_real_exchanges_never_hold_a_secret() {
    let sb = sandbox_with(SandboxConfig {
        seed: Seed::Demo,
        credentials: Credentials {
            client_id: "reqlog-client".into(),
            client_secret: CANARY.into(),
        },
        ..SandboxConfig::default()
    })
    .await;
    let recorder = Arc::new(Recorder::default());
    let mut rx = recorder.subscribe();
    let client = Client::new(client_config(&sb), recorder).expect("client");
    let auth = json!({"name": "reqlog-basic", "type": "basic", "basicAuth": {"username": "u", "password": CANARY}});
    let auth_id = within("create", client.create_raw(EntityKind::Authentication, &auth))
        .await
        .expect("create");
    within("get", client.get_raw(EntityKind::Authentication, &auth_id))
        .await
        .expect("get");
    sb.state.tokens.lock().expect("lock").revoke_all();
    within("list", client.list_raw(EntityKind::Authentication, Paging::default()))
        .await
        .expect("list after refresh");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, b"asset bytes\n").expect("write");
    let progress: ProgressFn = Arc::new(|_: Progress| {});
    let uploaded = within(
        "upload",
        client.upload_asset(
            &file,
            egain_console::sandbox::seed::DEMO_CHANNEL_TYPE,
            SenderType::Customer,
            progress,
            CancellationToken::new(),
        ),
    )
    .await
    .expect("upload");
    within("get asset", client.get_asset(&uploaded.ticket.id))
        .await
        .expect("get asset");

    let exchanges = drain(&mut rx);
    assert!(exchanges.len() >= 7, "{}", exchanges.len());
    let mut log = RequestLog::default();
    exchanges.iter().cloned().for_each(|x| log.push(x));
    let har = to_har(log.entries());
    check_har(&har);
    let har_text = serde_json::to_string_pretty(&har).expect("json");
    let curls: Vec<String> = log.entries().map(to_curl).collect();
    for text in curls.iter().chain([&har_text]) {
        assert!(!text.contains(CANARY), "canary leaked:\n{text}");
        assert!(!text.contains("sbx."), "a bearer token leaked:\n{text}");
    }
    // The exports stay useful: variables where secrets were.
    assert!(
        curls
            .iter()
            .any(|c| c.contains("\"client_secret=$EGAIN_CLIENT_SECRET\""))
    );
    assert!(curls.iter().any(|c| c.contains("Bearer $EGAIN_TOKEN\"")));
    assert!(
        curls.iter().any(|c| c.contains("--data-binary @FILE")),
        "the upload's body is a file"
    );
    assert!(har_text.contains("reqlog-basic"));
    log.set_filter_expr("k:token").expect("filter");
    assert_eq!(log.visible_len(), 2, "the first token and the refresh");
    log.set_filter_expr("s:401").expect("filter");
    assert_eq!(log.visible_len(), 1, "the call the revoked token failed");
}

#[test]
fn osc52_plain_and_through_tmux() {
    assert_eq!(osc52("hi", false), "\x1b]52;c;aGk=\x07");
    assert_eq!(osc52("hi", true), "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\");
    let text = "curl 'http://h/ä' \x1b";
    let seq = osc52(text, false);
    let b64 = seq
        .strip_prefix("\x1b]52;c;")
        .and_then(|s| s.strip_suffix('\x07'))
        .expect("framing");
    use base64::Engine;
    let back = base64::engine::general_purpose::STANDARD.decode(b64).expect("base64");
    assert_eq!(back, text.as_bytes());
    let wrapped = osc52(text, true);
    let inner = wrapped
        .strip_prefix("\x1bPtmux;")
        .and_then(|s| s.strip_suffix("\x1b\\"))
        .expect("dcs");
    assert_eq!(inner.replace("\x1b\x1b", "\x1b"), seq);
    assert_eq!(
        inner.matches('\x1b').count(),
        2,
        "the one ESC of the payload's framing is doubled"
    );
}

#[test]
fn save_text_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("exports");
    let names: Vec<String> = ["one", "two", "three"]
        .iter()
        .map(|t| {
            let p = save_text(&sub, "exchange-7.curl.sh", t).expect("save");
            p.file_name().expect("name").to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["exchange-7.curl.sh", "exchange-7.curl (1).sh", "exchange-7.curl (2).sh"]
    );
    assert_eq!(
        std::fs::read_to_string(sub.join("exchange-7.curl.sh")).expect("read"),
        "one"
    );
    assert_eq!(
        std::fs::read_to_string(sub.join("exchange-7.curl (2).sh")).expect("read"),
        "three"
    );
    save_text(&sub, "notes", "a").expect("save");
    let p = save_text(&sub, "notes", "b").expect("save");
    assert!(p.ends_with("notes (1)"));
    for bad in ["", "../x", "a/b", ".."] {
        assert!(save_text(&sub, bad, "x").is_err(), "{bad:?}");
    }
}
