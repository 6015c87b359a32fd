//! No URL signature survives an attachment round trip: upload (`POST
//! /assets`, then the signed upload URL), `GET /assets/{id}` and the signed
//! download, against a real loopback sandbox. The canaries are the real
//! signatures the sandbox issued, read from the tickets the client returned;
//! none may appear in the recorded exchanges, the log's rows and detail on
//! screen, the HAR export, the curl commands or a saved transcript.

mod common;
mod common_tui;

use std::sync::Arc;

use crossterm::event::KeyCode;
use egain_console::api::models::SenderType;
use egain_console::api::transfer::{Progress, ProgressFn};
use egain_console::conversation::transcript::{self, Format};
use egain_console::reqlog::curl::to_curl;
use egain_console::reqlog::har::to_har;
use egain_console::tui::msg::Msg;
use tokio_util::sync::CancellationToken;

use common::{client, demo_sandbox, drain, exchange_text, within};
use common_tui::{empty_app, press, press_code, render, send};

/// The `signature` query parameter of a signed URL.
fn signature_of(url: &str) -> String {
    let parsed = url::Url::parse(url).expect("signed URL");
    let (_, signature) = parsed
        .query_pairs()
        .find(|(k, _)| k == "signature")
        .expect("the sandbox signs its storage URLs");
    assert!(signature.len() > 20, "a real signature: {signature}");
    signature.into_owned()
}

fn assert_no_signature(what: &str, text: &str, signatures: &[String]) {
    for signature in signatures {
        // The JWT's last part is the HMAC: enough to forge nothing, but any part leaking is a leak.
        let hmac = signature.rsplit('.').next().expect("jwt");
        assert!(
            !text.contains(signature.as_str()) && !text.contains(hmac),
            "a URL signature leaked into {what}:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_url_signature_after_an_attachment_round_trip() {
    let sb = demo_sandbox().await;
    let (client, mut rx) = client(&sb);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("photo.png");
    std::fs::write(&file, b"\x89PNG not really").expect("write");
    let progress: ProgressFn = Arc::new(|_: Progress| {});
    let uploaded = within(
        "upload",
        client.upload_asset(
            &file,
            egain_console::sandbox::seed::DEMO_CHANNEL_TYPE,
            SenderType::Customer,
            progress.clone(),
            CancellationToken::new(),
        ),
    )
    .await
    .expect("upload");
    let download_ticket = within("get asset", client.get_asset(&uploaded.ticket.id))
        .await
        .expect("get asset");
    let downloads = dir.path().join("downloads");
    within(
        "download",
        client.download_asset(&uploaded.ticket.id, &downloads, progress, CancellationToken::new()),
    )
    .await
    .expect("download");
    let signatures = vec![
        signature_of(&uploaded.ticket.content_url),
        signature_of(&download_ticket.content_url),
    ];

    let exchanges = drain(&mut rx);
    assert!(
        exchanges.iter().any(|x| x.url.contains("/assets/upload")) && exchanges.len() >= 5,
        "the whole flow was recorded: {}",
        exchanges.len()
    );
    for x in &exchanges {
        assert_no_signature("a recorded exchange", &exchange_text(x), &signatures);
        assert_no_signature("a curl command", &to_curl(x), &signatures);
    }
    let har = serde_json::to_string(&to_har(&exchanges)).expect("har");
    assert_no_signature("the HAR export", &har, &signatures);
    assert!(har.contains("contentUrl"), "the URLs stay, without their signature");

    // On screen: every row of the log, and the detail of each exchange.
    for (i, x) in exchanges.iter().enumerate() {
        let mut app = empty_app(false);
        send(&mut app, Msg::Exchange(Box::new(x.clone())));
        press(&mut app, '3');
        assert_no_signature("the request log", &render(&mut app, 120, 40), &signatures);
        press_code(&mut app, KeyCode::Enter);
        let detail = render(&mut app, 120, 40);
        assert_no_signature(&format!("the detail of exchange {i}"), &detail, &signatures);
    }

    // A transcript in which someone pasted the signed download URL.
    let conversation = serde_json::from_value(serde_json::json!({
        "id": "c-canary",
        "messages": {"message": [{
            "type": {"value": "text"},
            "sender": {"type": "customer"},
            "content": {"text": format!("here it is: {}", download_ticket.content_url)}
        }]}
    }))
    .expect("a conversation");
    for format in [Format::Json, Format::Markdown] {
        let path = transcript::save(dir.path(), &conversation, format).expect("save transcript");
        let saved = std::fs::read_to_string(&path).expect("read transcript");
        assert!(saved.contains("here it is"), "{saved}");
        assert_no_signature("a saved transcript", &saved, &signatures);
    }
}
