//! The event loop: terminal input, API results, recorded exchanges and
//! timers all arrive on one queue; `update` changes state; the screen is
//! redrawn after each batch of messages, never on a timer.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::app::App;
use super::effect::Effect;
use super::msg::{ApiReply, Msg};
use super::terminal;
use super::update::{startup, update};
use super::view;
use crate::api::{Client, Exchange, Paging};

/// Messages handled before a redraw when many arrive at once (bursts of
/// exchanges or callbacks become one frame).
const BATCH: usize = 512;
const TICK: Duration = Duration::from_millis(100);

pub struct Runtime {
    client: Client,
    tx: UnboundedSender<Msg>,
    export_dir: PathBuf,
}

/// Run the console until the user quits.
pub async fn run(
    mut app: App,
    client: Client,
    exchanges: UnboundedReceiver<Exchange>,
    export_dir: Option<PathBuf>,
) -> std::io::Result<()> {
    terminal::install_panic_hook();
    let _guard = terminal::Guard;
    let mut term = terminal::enter(app.mouse)?;
    let size = term.size()?;
    app.size = (size.width, size.height);
    let (tx, mut rx) = unbounded_channel();
    forward_exchanges(exchanges, tx.clone());
    let runtime = Runtime {
        client,
        tx,
        export_dir: export_dir.unwrap_or_else(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))),
    };
    let mut events = EventStream::new();
    let mut effects = startup();
    app.in_flight += effects.len();
    effects.push(Effect::ScheduleTick);
    app.ticking = true;
    term.draw(|f| view::render(&app, f))?;
    loop {
        for effect in effects.drain(..) {
            match effect {
                Effect::ExternalEdit(text) => {
                    // Stop reading input first so no keystroke is split between
                    // the console and the editor, then hand the terminal over.
                    drop(events);
                    let result = tokio::task::block_in_place(|| external_edit(&text));
                    terminal::resume(&mut term, app.mouse)?;
                    events = EventStream::new();
                    effects_after_edit(&runtime, result);
                    term.draw(|f| view::render(&app, f))?;
                }
                other => runtime.perform(other, &mut app)?,
            }
        }
        if app.should_quit {
            break;
        }
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = rx.recv() => msg,
        };
        effects.extend(update(&mut app, first));
        let mut handled = 1;
        while handled < BATCH {
            match rx.try_recv() {
                Ok(msg) => effects.extend(update(&mut app, msg)),
                Err(_) => break,
            }
            handled += 1;
        }
        if !app.should_quit {
            term.draw(|f| view::render(&app, f))?;
        }
    }
    drop(term);
    terminal::restore();
    Ok(())
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

fn forward_exchanges(mut exchanges: UnboundedReceiver<Exchange>, tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        while let Some(x) = exchanges.recv().await {
            if tx.send(Msg::Exchange(Box::new(x))).is_err() {
                break;
            }
        }
    });
}

impl Runtime {
    /// Carry out one effect (all but `ExternalEdit`, which the loop owns).
    fn perform(&self, effect: Effect, app: &mut App) -> std::io::Result<()> {
        match effect {
            Effect::Quit => app.should_quit = true,
            Effect::ScheduleTick => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(TICK).await;
                    let _ = tx.send(Msg::Tick);
                });
            }
            Effect::SetMouse(on) => terminal::set_mouse(on),
            Effect::Clipboard(text) => {
                let seq = crate::reqlog::clipboard::osc52(&text, crate::reqlog::clipboard::in_tmux());
                let mut out = std::io::stdout();
                out.write_all(seq.as_bytes())?;
                out.flush()?;
            }
            Effect::SaveText { base_name, text } => {
                let dir = self.export_dir.clone();
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::reqlog::clipboard::save_text(&dir, &base_name, &text)
                        .map(|p| format!("saved {}", p.display()))
                        .map_err(|e| format!("saving {base_name}: {e}"));
                    let _ = tx.send(Msg::Saved(result));
                });
            }
            Effect::ExternalEdit(_) => {}
            api => self.spawn_api(api),
        }
        Ok(())
    }

    fn spawn_api(&self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let reply = match effect {
                Effect::List(kind) => ApiReply::Listed {
                    kind,
                    result: client.list_raw(kind, Paging::default()).await,
                },
                Effect::Get(kind, id) => ApiReply::Fetched {
                    kind,
                    result: client.get_raw(kind, &id).await,
                    id,
                },
                Effect::Create(kind, body) => ApiReply::Created {
                    kind,
                    result: client.create_raw(kind, &body).await,
                },
                Effect::Update(kind, id, body) => ApiReply::Updated {
                    kind,
                    result: client.update_raw(kind, &id, &body).await,
                    id,
                },
                Effect::Delete(kind, id) => ApiReply::Deleted {
                    kind,
                    result: client.delete(kind, &id).await,
                    id,
                },
                Effect::GetAsset(id) => ApiReply::Asset {
                    result: client.get_asset(&id).await,
                    id,
                },
                Effect::SetupStep { step, kind, body } => ApiReply::SetupStep {
                    step,
                    result: client.create_raw(kind, &body).await,
                },
                _ => return,
            };
            let _ = tx.send(Msg::Api(reply));
            let _ = tx.send(Msg::Token(client.token_state()));
        });
    }
}

fn effects_after_edit(runtime: &Runtime, result: Result<String, String>) {
    let _ = runtime.tx.send(Msg::ExternalEdit(result));
}

/// Hand the terminal to `$VISUAL`/`$EDITOR` (default `vi`) on a temp file.
fn external_edit(text: &str) -> Result<String, String> {
    terminal::restore();
    let path = std::env::temp_dir().join(format!("egain-console-{}.json", std::process::id()));
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // Through the shell, so EDITOR="code -w" works.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("egain-console-editor")
        .arg(&path)
        .status()
        .map_err(|e| format!("cannot start {editor}: {e}"))?;
    let result = if status.success() {
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    } else {
        Err(format!("{editor} exited with {status}; the edit was not applied"))
    };
    let _ = std::fs::remove_file(&path);
    result
}
