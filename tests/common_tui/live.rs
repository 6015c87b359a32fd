//! The console's state and loop, as `runtime::run` drives them, minus the
//! terminal: the embedded sandbox and callback receiver as the console
//! starts them, the app's real `update` and `Runtime::perform`, driven by
//! key events. Waits are on the app's state; timeouts only guard hangs.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use egain_console::connect::{Connection, connect};
use egain_console::conversation::state::Conversation;
use egain_console::schema::Spec;
use egain_console::templates::Templates;
use egain_console::tui::app::App;
use egain_console::tui::keymap::Keymap;
use egain_console::tui::msg::Msg;
use egain_console::tui::runtime::{RunOptions, Runtime};
use egain_console::tui::theme::Theme;
use egain_console::tui::update::{startup, update};

/// Generous: the machine is shared and the build is a debug build.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Console {
    pub app: App,
    pub runtime: Runtime,
    pub rx: UnboundedReceiver<Msg>,
}

impl Console {
    /// Apply one message and carry out the effects it asks for.
    pub fn handle(&mut self, msg: Msg) {
        for effect in update(&mut self.app, msg) {
            self.runtime.perform(effect).expect("effect performed");
        }
    }

    /// One key press (upper-case letters with Shift, as a terminal sends them).
    pub fn key(&mut self, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        // A deliberate key: a held command letter acts at once (`super::send`).
        for effect in super::send(&mut self.app, Msg::Key(KeyEvent::new(code, modifiers))) {
            self.runtime.perform(effect).expect("effect performed");
        }
    }

    pub fn char(&mut self, c: char) {
        self.key(KeyCode::Char(c));
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.char(c);
        }
    }

    /// Process messages until `done` holds; fails after [`TIMEOUT`] without progress.
    pub async fn run_until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            match tokio::time::timeout(TIMEOUT, self.rx.recv()).await {
                Ok(Some(msg)) => self.handle(msg),
                Ok(None) => panic!("message queue closed while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; status: {:?}; viewed: {:#?}",
                    self.app.status,
                    self.app.conversation.viewed().map(|c| c.entries())
                ),
            }
        }
    }

    /// The conversation on screen.
    pub fn viewed(&self) -> &Conversation {
        self.app.conversation.viewed().expect("a conversation is on screen")
    }
}

/// Sandbox + receiver as the console starts them, and the loop around an
/// [`App`], its start-up requests sent; exports, downloads and takeover
/// state go under `dirs`.
pub async fn start(dirs: &tempfile::TempDir) -> (Console, Connection) {
    let mut connection = connect(None, None, false).await.expect("sandbox connection");
    let app = App::new(
        connection.session.clone(),
        Keymap::defaults(),
        Theme::mono(),
        Spec::embedded(),
        Templates::embedded(),
    );
    let (tx, rx) = unbounded_channel();
    // The request log gets every exchange, as in `runtime::run`.
    let mut exchanges = std::mem::replace(&mut connection.exchanges, unbounded_channel().1);
    let exchange_tx = tx.clone();
    tokio::spawn(async move {
        while let Some(x) = exchanges.recv().await {
            if exchange_tx.send(Msg::Exchange(Box::new(x))).is_err() {
                break;
            }
        }
    });
    let runtime = Runtime::new(
        connection.client.clone(),
        tx,
        RunOptions {
            export_dir: Some(dirs.path().join("export")),
            download_dir: Some(dirs.path().join("downloads")),
            state_dir: Some(dirs.path().join("state")),
            inbound: connection.inbound.take(),
        },
    );
    let mut console = Console { app, runtime, rx };
    let effects = startup(&mut console.app);
    console.app.in_flight += effects.len();
    for effect in effects {
        console.runtime.perform(effect).expect("startup effect");
    }
    (console, connection)
}
