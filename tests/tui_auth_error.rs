//! A wrong client secret against a real (embedded, standalone) sandbox: the
//! console's first list calls (the kind on screen, then the other five once
//! its refusal is in) cost one token request (the failure backs off),
//! and the status line shows the authentication error once, not once per
//! failing call; a refresh does not pile another copy on. The list pane
//! shows the whole error, wrapped.

mod common;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use egain_console::api::models::EntityKind;
use egain_console::api::{AuthConfig, Client, ExchangeKind, Recorder, Secret, TokenState};
use egain_console::schema::Spec;
use egain_console::templates::Templates;
use egain_console::tui::app::{App, Session};
use egain_console::tui::keymap::Keymap;
use egain_console::tui::msg::Msg;
use egain_console::tui::runtime::{RunOptions, Runtime};
use egain_console::tui::theme::Theme;
use egain_console::tui::update::{startup, update};
use egain_console::tui::view;

const TIMEOUT: Duration = Duration::from_secs(30);

struct Console {
    app: App,
    runtime: Runtime,
    rx: UnboundedReceiver<Msg>,
}

impl Console {
    fn handle(&mut self, msg: Msg) {
        for effect in update(&mut self.app, msg) {
            self.runtime.perform(effect).expect("effect performed");
        }
    }

    async fn run_until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            match tokio::time::timeout(TIMEOUT, self.rx.recv()).await {
                Ok(Some(msg)) => self.handle(msg),
                Ok(None) => panic!("message queue closed while waiting for {what}"),
                Err(_) => panic!("timed out waiting for {what}; status: {:?}", self.app.status),
            }
        }
    }

    fn screen(&mut self, w: u16, h: u16) -> Vec<String> {
        self.handle(Msg::Resize(w, h));
        let mut app_size = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        app_size.draw(|f| view::render(&self.app, f)).expect("draw");
        let buffer = app_size.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_owned()).collect())
            .collect()
    }
}

fn all_failed(app: &App) -> bool {
    EntityKind::ALL.iter().all(|k| app.entities.list(*k).error.is_some()) && app.in_flight == 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_secret_is_one_token_request_and_one_error_on_the_status_line() {
    let sb = common::demo_sandbox().await;
    let mut config = common::client_config(&sb);
    if let AuthConfig::ClientCredentials { client_secret, .. } = &mut config.auth {
        *client_secret = Secret::new("not-the-secret".to_owned());
    }
    let recorder = Arc::new(Recorder::default());
    let mut exchanges = recorder.subscribe();
    let client = Client::new(config, recorder).expect("client");
    let dirs = tempfile::tempdir().expect("temp dir");
    let (tx, rx) = unbounded_channel();
    let runtime = Runtime::new(
        client,
        tx,
        RunOptions {
            export_dir: Some(dirs.path().join("export")),
            download_dir: Some(dirs.path().join("downloads")),
            state_dir: Some(dirs.path().join("state")),
            inbound: None,
        },
    );
    let session = Session {
        profile: "wrong-secret".into(),
        host: sb.urls.base.clone(),
        sandbox: false,
        sandbox_root: None,
        read_only: false,
        callback_urls: Vec::new(),
        receiver: None,
    };
    let app = App::new(
        session,
        Keymap::defaults(),
        Theme::mono(),
        Spec::embedded(),
        Templates::embedded(),
    );
    let mut console = Console { app, runtime, rx };
    let effects = startup(&mut console.app);
    assert_eq!(effects.len(), 1, "the kind on screen is asked for first");
    console.app.in_flight += effects.len();
    for effect in effects {
        console.runtime.perform(effect).expect("startup effect");
    }
    console.run_until("every list to fail", all_failed).await;

    let token_calls = common::drain(&mut exchanges)
        .into_iter()
        .filter(|x| x.kind == ExchangeKind::Token)
        .count();
    assert_eq!(token_calls, 1, "six list calls, one token request");
    assert!(
        matches!(console.app.token, TokenState::Failed(_)),
        "{:?}",
        console.app.token
    );
    let error = console.app.status.error.clone().expect("the error is shown");
    assert!(error.contains("authentication failed"), "{error}");
    assert_eq!(error.matches("authentication failed").count(), 1, "{error}");

    for (w, h) in [(80, 24), (120, 40)] {
        let rows = console.screen(w, h);
        let status = &rows[0];
        assert_eq!(status.matches("token: FAILED").count(), 1, "{status}");
        // The error rows above the footer: the message once.
        let error_rows: String = rows[..rows.len() - 1]
            .iter()
            .skip_while(|r| !r.starts_with('✗'))
            .cloned()
            .collect();
        assert_eq!(
            error_rows.matches("authentication failed").count(),
            1,
            "at {w}x{h}:\n{}",
            rows.join("\n")
        );
        assert_eq!(
            rows.iter().filter(|r| r.starts_with('✗')).count(),
            1,
            "{}",
            rows.join("\n")
        );
        // The pane's own copy says what failed in full, wrapped, not cut.
        let pane: Vec<&String> = rows.iter().skip(1).take_while(|r| !r.starts_with('✗')).collect();
        assert!(
            pane.iter().any(|r| r.contains("Could not list Accounts:")),
            "{}",
            rows.join("\n")
        );
        // To its last word (the shown kind is asked for first, so its copy is
        // the refusal itself; the later calls' add when the endpoint is asked again).
        assert!(pane.iter().any(|r| r.contains("secret")), "{}", rows.join("\n"));
    }

    // r retries the shown kind: the error is replaced, not repeated.
    console.handle(Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)));
    console.run_until("the retry to fail", all_failed).await;
    let rows = console.screen(80, 24);
    assert_eq!(
        rows.iter().filter(|r| r.starts_with('✗')).count(),
        1,
        "{}",
        rows.join("\n")
    );
    let error = console.app.status.error.clone().unwrap_or_default();
    assert_eq!(error.matches("authentication failed").count(), 1, "{error}");
}
