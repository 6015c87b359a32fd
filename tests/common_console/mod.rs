//! The console over real loopback HTTP: `update` and `Runtime::perform`
//! driven as the event loop drives them, so a test presses keys and waits
//! for the replies the runtime feeds back (no sleeps).
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use egain_console::api::Client;
use egain_console::tui::app::App;
use egain_console::tui::effect::Effect;
use egain_console::tui::msg::Msg;
use egain_console::tui::runtime::{RunOptions, Runtime};
use egain_console::tui::update::{startup, update};

/// A console, its runtime and the runtime's message queue.
pub struct Console {
    pub app: App,
    pub runtime: Runtime,
    rx: UnboundedReceiver<Msg>,
}

impl Console {
    /// `app` talking through `client`; files go under `dir`. Returns once
    /// every list has loaded.
    pub fn new(app: App, client: Client, dir: &Path) -> Self {
        let (tx, rx) = unbounded_channel();
        let runtime = Runtime::new(
            client,
            tx,
            RunOptions {
                export_dir: Some(dir.join("export")),
                download_dir: Some(dir.join("downloads")),
                state_dir: Some(dir.join("state")),
                inbound: None,
            },
        );
        let mut console = Self { app, runtime, rx };
        let effects = startup(&mut console.app);
        console.perform(effects);
        console.until_loaded();
        console
    }

    pub fn perform(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            if !matches!(effect, Effect::ScheduleTick | Effect::ExpireNotice(_)) {
                self.runtime.perform(effect).expect("performed");
            }
        }
    }

    /// Apply `msg` and perform its effects.
    pub fn send(&mut self, msg: Msg) {
        let effects = update(&mut self.app, msg);
        self.perform(effects);
    }

    /// Feed the runtime's messages until `done` holds.
    pub fn until(&mut self, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            let msg = next_message(&mut self.rx);
            self.send(msg);
        }
    }

    /// Until every list has loaded all its pages.
    pub fn until_loaded(&mut self) {
        self.until(|app| {
            egain_console::api::models::EntityKind::ALL.iter().all(|k| {
                let l = app.entities.list(*k);
                l.loaded && !l.loading && l.error.is_none()
            })
        });
    }

    pub fn key(&mut self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }

    /// A deliberate key: a command letter the message list holds (in case
    /// a sentence is being typed) acts at once (`common_tui::send`, which
    /// every test using this harness also declares).
    pub fn key_with(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let effects = crate::common_tui::send(&mut self.app, Msg::Key(KeyEvent::new(code, modifiers)));
        self.perform(effects);
    }

    pub fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }
}

/// The next message (the test runs on the runtime's thread pool).
pub fn next_message(rx: &mut UnboundedReceiver<Msg>) -> Msg {
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async {
            tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("a message in time")
                .expect("queue open")
        })
    })
}
