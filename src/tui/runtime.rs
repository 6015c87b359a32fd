//! The event loop: terminal input, API results, recorded exchanges and
//! timers all arrive on one queue; `update` changes state; the screen is
//! redrawn after each batch of messages, never on a timer.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::app::App;
use super::effect::Effect;
use super::effect::{Call, Owner};
use super::msg::{ApiReply, Msg, TakenRole, Transfer};
use super::terminal;
use super::update::{startup, update};
use super::view;
use crate::api::models::{AssetRef, AttachmentPolicy, SenderType};
use crate::api::transfer::{LocalAsset, Progress, ProgressFn};
use crate::api::{Client, Exchange, Paging};
use crate::callback::Inbound;
use crate::io_error::{self, Access};

/// Messages handled before a redraw when many arrive at once (bursts of
/// exchanges or callbacks become one frame).
const BATCH: usize = 512;
const TICK: Duration = Duration::from_millis(100);
/// How long the first frame may wait for the list it shows
/// ([`App::first_frame_ready`]): drawn before that answers, an empty frame
/// only competes with it for the CPU (and flashes an empty pane); past this
/// it is drawn whatever is still loading, and the lists start-up held back
/// go out (on a slow tenant they do not wait a round trip for it).
const FIRST_FRAME_WAIT: Duration = Duration::from_millis(50);
/// How often a console away in the background looks whether it has the
/// terminal again.
const AWAY_CHECK: Duration = Duration::from_millis(200);
/// How long a notice stays on the status line.
const NOTICE_TIME: Duration = Duration::from_secs(8);

pub struct Runtime {
    client: Client,
    tx: UnboundedSender<Msg>,
    export_dir: PathBuf,
    download_dir: PathBuf,
    state_dir: PathBuf,
    /// Cancel tokens of running uploads, by local id.
    upload_cancel: std::sync::Mutex<Vec<(u64, CancellationToken)>>,
    /// Leases of the callbacks this console took over, held for the run (they tell other
    /// consoles this one is alive); `main` restores them from the journal on every exit path.
    takeovers: Arc<std::sync::Mutex<Vec<crate::callback_takeover::ActiveTakeover>>>,
    /// Scenario runs going on (each is handed every callback delivery).
    scenario_runs: super::scenario_calls::ActiveRuns,
    /// Whether a callback receiver feeds this console.
    receives: bool,
}

/// Where the runtime reads and writes, and the streams it forwards.
pub struct RunOptions {
    /// curl commands, HAR exports and transcripts (default: current directory).
    pub export_dir: Option<PathBuf>,
    /// Downloaded attachments (default: the user's download directory).
    pub download_dir: Option<PathBuf>,
    /// The callback-takeover journal (default: the user's data directory).
    pub state_dir: Option<PathBuf>,
    pub inbound: Option<UnboundedReceiver<Inbound>>,
}

/// Run the console until the user quits. Callback takeovers still active
/// at the end are restored before returning.
pub async fn run(
    mut app: App,
    client: Client,
    exchanges: UnboundedReceiver<Exchange>,
    options: RunOptions,
) -> std::io::Result<()> {
    crate::panics::mark_ui_thread();
    terminal::install_panic_hook();
    // Signals take the path of `q`; see `crate::signals`.
    let mut signals = crate::signals::Signals::install()?;
    let _guard = terminal::Guard;
    let (tx, mut rx) = unbounded_channel();
    forward_exchanges(exchanges, tx.clone());
    forward_notices(tx.clone());
    let runtime = Runtime::new(client, tx, options);
    // The first list (the kind on screen; the others follow its answer) goes out before the
    // terminal is set up and the first frame drawn, so both overlap its round trip (loading
    // depends on nothing the terminal does).
    let mut effects = startup(&mut app);
    app.in_flight += effects.len();
    for effect in effects.drain(..) {
        runtime.perform(effect)?;
    }
    let mut term = terminal::enter(app.mouse)?;
    let size = term.size()?;
    app.size = (size.width, size.height);
    // `None` while away: stopped or continued in the background, where reading
    // the terminal would stop the console (SIGTTIN) and drawing would paint
    // over the shell. Nothing is read or drawn until it has the terminal again.
    let mut events = Some(EventStream::new());
    effects.push(Effect::ScheduleTick);
    app.ticking = true;
    let mut first_frame = Some(tokio::time::Instant::now() + FIRST_FRAME_WAIT);
    loop {
        for effect in effects.drain(..) {
            match effect {
                Effect::ExternalEdit(owner, text) => {
                    // Stop reading input first so no keystroke is split between
                    // the console and the editor, then hand the terminal over.
                    release_input(events.take());
                    let result = tokio::task::block_in_place(|| external_edit(&text));
                    terminal::resume(&mut term, app.mouse)?;
                    events = Some(EventStream::new());
                    effects_after_edit(&runtime, owner, result);
                    term.draw(|f| view::render(&app, f))?;
                }
                Effect::Pager(text) => {
                    // As for the editor: no input stream while the pager has the terminal.
                    release_input(events.take());
                    terminal::restore();
                    let result =
                        tokio::task::block_in_place(|| super::pager::show(&text, super::pager::from_env().as_deref()));
                    terminal::resume(&mut term, app.mouse)?;
                    events = Some(EventStream::new());
                    match result {
                        Ok(None) => {}
                        Ok(Some(note)) => {
                            let _ = runtime.tx.send(Msg::Report(Ok(note)));
                        }
                        Err(e) => {
                            let _ = runtime.tx.send(Msg::Report(Err(e)));
                        }
                    }
                    term.draw(|f| view::render(&app, f))?;
                }
                other => runtime.perform(other)?,
            }
        }
        if app.should_quit {
            break;
        }
        let first = tokio::select! {
            event = next_event(&mut events) => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = rx.recv() => msg,
            () = first_frame_due(first_frame) => {
                first_frame = None;
                if events.is_some() {
                    term.draw(|f| view::render(&app, f))?;
                }
                effects.extend(update(&mut app, Msg::FirstFrameDrawn));
                continue;
            }
            // `fg` of a job running in the background sends no SIGCONT: look.
            () = tokio::time::sleep(AWAY_CHECK), if events.is_none() => {
                reclaim(&mut term, &mut events, app.mouse)?;
                if events.is_none() {
                    continue;
                }
                let size = term.size()?;
                Msg::Resize(size.width, size.height)
            }
            signal = signals.recv() => match signal {
                crate::signals::SignalEvent::Quit(_) => break,
                crate::signals::SignalEvent::Suspend => {
                    suspend(&mut term, &mut events, app.mouse)?;
                    continue;
                }
                crate::signals::SignalEvent::Continue => {
                    // Continued after any stop: take the terminal back (if this
                    // process has it) and redraw all.
                    reclaim(&mut term, &mut events, app.mouse)?;
                    if events.is_none() {
                        continue;
                    }
                    let size = term.size()?;
                    Msg::Resize(size.width, size.height)
                }
            },
        };
        // Ctrl-Z: the terminal is raw, so it is a key, not SIGTSTP; suspend as the shell expects.
        if let Msg::Key(key) = &first
            && key.code == crossterm::event::KeyCode::Char('z')
            && key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL)
        {
            suspend(&mut term, &mut events, app.mouse)?;
            continue;
        }
        #[cfg(debug_assertions)]
        panic_if_requested(&first);
        // Into a text field, keys that were all waiting at once may be a paste
        // without bracketed paste (see `paste_burst`).
        let (first, also_ready) = match first {
            Msg::Key(key) if app.typing() => with_ready_keys(key)?,
            other => (other, Vec::new()),
        };
        effects.extend(update(&mut app, first));
        for msg in also_ready {
            effects.extend(update(&mut app, msg));
        }
        let mut handled = 1;
        while handled < BATCH {
            match rx.try_recv() {
                Ok(msg) => effects.extend(update(&mut app, msg)),
                Err(_) => break,
            }
            handled += 1;
        }
        if first_frame.is_some() && !app.first_frame_ready() && !app.should_quit {
            continue;
        }
        if !app.should_quit && events.is_some() {
            term.draw(|f| view::render(&app, f))?;
        }
        if first_frame.take().is_some() && !app.should_quit {
            effects.extend(update(&mut app, Msg::FirstFrameDrawn));
        }
    }
    // From the background (a stopped console sent `kill %1`) the way out
    // writes to the terminal too; it must not be stopped on the way.
    let _quiet = terminal::IgnoreTtou::new();
    drop(term);
    terminal::restore();
    // Callbacks taken over are put back from the journal by the caller, on every exit path
    // (`callback_takeover::restore_own`).
    Ok(())
}

/// Most events read without waiting after a key; a paste longer than this
/// goes on in the next batch.
const READY_MAX: usize = 1 << 16;

/// `key` and the events already waiting behind it, as one paste when they
/// are one (`paste_burst::as_paste`), else as they came. Read with crossterm's
/// zero-timeout poll, not the stream, so the stream's wake-up stays its own.
fn with_ready_keys(key: crossterm::event::KeyEvent) -> std::io::Result<(Msg, Vec<Msg>)> {
    let mut ready = Vec::new();
    while ready.len() < READY_MAX && crossterm::event::poll(Duration::ZERO)? {
        ready.push(crossterm::event::read()?);
    }
    let keys: Option<Vec<_>> = std::iter::once(Some(key))
        .chain(ready.iter().map(|e| match e {
            Event::Key(k) => Some(*k),
            _ => None,
        }))
        .collect();
    Ok(match keys.as_deref().and_then(super::paste_burst::as_paste) {
        Some(text) => (Msg::Paste(text), Vec::new()),
        None => (Msg::Key(key), ready.into_iter().filter_map(to_msg).collect()),
    })
}

/// When the first frame is due; never once it is drawn.
async fn first_frame_due(due: Option<tokio::time::Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// Stop reading input. Dropping crossterm's stream wakes its shared poller;
/// left pending, that wake-up is taken by the next stream's first poll
/// together with the tty's readiness, and the first key typed after the
/// editor or pager is not read until another arrives. Taking it now (a
/// zero-timeout poll) leaves the next stream a clean start.
fn release_input(events: Option<EventStream>) {
    if let Some(events) = events {
        drop(events);
        let _ = crossterm::event::poll(Duration::ZERO);
    }
}

/// The next terminal event; never while away (`None`).
async fn next_event(events: &mut Option<EventStream>) -> Option<std::io::Result<Event>> {
    match events {
        Some(events) => events.next().await,
        None => std::future::pending().await,
    }
}

/// Hand the terminal back to the shell and stop until continued (SIGTSTP, Ctrl-Z).
fn suspend(term: &mut terminal::Term, events: &mut Option<EventStream>, mouse: bool) -> std::io::Result<()> {
    release_input(events.take());
    terminal::restore();
    crate::signals::stop_self();
    reclaim(term, events, mouse)
}

/// After a stop: take the terminal back when this process has it (`fg`).
/// Continued in the background (`bg`, or `kill %1`, which continues a
/// stopped job so it can end) it stays away, reading and drawing nothing,
/// so the way out is not stopped by SIGTTIN/SIGTTOU before the callbacks
/// are put back; the next SIGCONT in the foreground brings it back.
fn reclaim(term: &mut terminal::Term, events: &mut Option<EventStream>, mouse: bool) -> std::io::Result<()> {
    if !terminal::in_foreground() {
        release_input(events.take());
        return Ok(());
    }
    terminal::resume(term, mouse)?;
    if events.is_none() {
        *events = Some(EventStream::new());
    }
    Ok(())
}

/// Start-up warnings, restore outcomes and background panics, shown in the console.
fn forward_notices(tx: UnboundedSender<Msg>) {
    let mut notices = crate::notices::subscribe();
    tokio::spawn(async move {
        while let Some(n) = notices.recv().await {
            if tx.send(Msg::Report(n)).is_err() {
                break;
            }
        }
    });
}

/// Deliveries go to the console, and to the scenario runs going on.
fn forward_inbound(
    mut inbound: UnboundedReceiver<Inbound>,
    tx: UnboundedSender<Msg>,
    runs: super::scenario_calls::ActiveRuns,
) {
    tokio::spawn(async move {
        while let Some(x) = inbound.recv().await {
            runs.deliver(&x);
            if tx.send(Msg::Inbound(Box::new(x))).is_err() {
                break;
            }
        }
    });
}

/// Test hook, debug builds only: panic when the key named by
/// `EGAIN_CONSOLE_PANIC_ON_KEY` is pressed, so the end-to-end tests can prove
/// that a panic restores the terminal before the report is printed.
#[cfg(debug_assertions)]
fn panic_if_requested(msg: &Msg) {
    if let Msg::Key(key) = msg
        && let crossterm::event::KeyCode::Char(c) = key.code
        && std::env::var("EGAIN_CONSOLE_PANIC_ON_KEY").is_ok_and(|v| v.starts_with(c))
    {
        panic!("panic requested with EGAIN_CONSOLE_PANIC_ON_KEY (test hook)");
    }
    if let Msg::Key(key) = msg
        && let crossterm::event::KeyCode::Char(c) = key.code
        && std::env::var("EGAIN_CONSOLE_TASK_PANIC_ON_KEY").is_ok_and(|v| v.starts_with(c))
    {
        tokio::spawn(async { panic!("background panic requested with EGAIN_CONSOLE_TASK_PANIC_ON_KEY (test hook)") });
    }
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
    /// A runtime that performs effects and reports on `tx`; it also forwards
    /// the receiver's deliveries to `tx`. Usable without a terminal (tests
    /// drive `update` and `perform` directly).
    pub fn new(client: Client, tx: UnboundedSender<Msg>, options: RunOptions) -> Self {
        let scenario_runs = super::scenario_calls::ActiveRuns::default();
        let receives = options.inbound.is_some();
        if let Some(inbound) = options.inbound {
            forward_inbound(inbound, tx.clone(), scenario_runs.clone());
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self {
            client,
            tx,
            export_dir: options.export_dir.unwrap_or_else(|| cwd.clone()),
            download_dir: options
                .download_dir
                .or_else(|| directories::UserDirs::new().and_then(|u| u.download_dir().map(PathBuf::from)))
                .unwrap_or_else(|| cwd.clone()),
            state_dir: options
                .state_dir
                .unwrap_or_else(crate::callback_takeover::default_state_dir),
            upload_cancel: std::sync::Mutex::new(Vec::new()),
            takeovers: Arc::new(std::sync::Mutex::new(Vec::new())),
            scenario_runs,
            receives,
        }
    }

    /// Carry out one effect (all but `ExternalEdit` and `Pager`, which the
    /// loop owns: they take the terminal).
    /// It never touches the console's state: results come back as messages.
    pub fn perform(&self, effect: Effect) -> std::io::Result<()> {
        match effect {
            Effect::Quit => {}
            Effect::ExpireNotice(seq) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(NOTICE_TIME).await;
                    let _ = tx.send(Msg::NoticeExpired(seq));
                });
            }
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
                        .map_err(|e| io_error::message(&dir, Access::Write, &format!("{base_name} in the folder"), &e));
                    let _ = tx.send(Msg::Saved(result));
                });
            }
            Effect::ExternalEdit(..) | Effect::Pager(_) => {}
            Effect::HoldKey(seq) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(super::guard::HOLD).await;
                    let _ = tx.send(Msg::HeldKeyDue(seq));
                });
            }
            Effect::Upload {
                local_id,
                path,
                channel_type,
                sender,
                policy,
            } => self.spawn_upload(local_id, path, channel_type, sender, policy),
            Effect::CancelUpload(local_id) => {
                let mut tokens = self.upload_cancel.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(i) = tokens.iter().position(|(id, _)| *id == local_id) {
                    tokens.remove(i).1.cancel();
                }
            }
            Effect::Download(ids) => self.spawn_download(ids),
            Effect::SaveTranscript(conversation) => {
                let dir = self.export_dir.clone();
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    use crate::conversation::transcript::{Format, save};
                    let result = save(&dir, &conversation, Format::Json)
                        .and_then(|json| save(&dir, &conversation, Format::Markdown).map(|md| (json, md)))
                        .map(|(json, md)| format!("saved {} and {}", json.display(), md.display()))
                        .map_err(|e| io_error::message(&dir, Access::Write, "the transcript in the folder", &e));
                    let _ = tx.send(Msg::Saved(result));
                });
            }
            Effect::CompletePath(input) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let (completed, candidates) = complete_path(&input);
                    let _ = tx.send(Msg::PathCompleted {
                        input,
                        completed,
                        candidates,
                    });
                });
            }
            Effect::RecordScenario(job) => {
                let client = self.client.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Saved(record_scenario(&client, *job).await));
                });
            }
            Effect::ScanScenarios(owner, dir) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::Scenarios(owner, Box::new(super::scenario_calls::scan(dir))));
                });
            }
            Effect::RunScenarios(_, job) => super::scenario_calls::spawn_run(
                &self.scenario_runs,
                self.client.clone(),
                *job,
                self.receives,
                self.tx.clone(),
            ),
            Effect::CancelScenarios(run) => self.scenario_runs.cancel(run),
            Effect::Call(owner, call) => self.spawn_api(owner, call),
        }
        Ok(())
    }

    fn spawn_upload(
        &self,
        local_id: u64,
        path: PathBuf,
        channel_type: String,
        sender: crate::api::models::SenderType,
        policy: Option<crate::api::models::AttachmentPolicy>,
    ) {
        let token = CancellationToken::new();
        self.upload_cancel
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((local_id, token.clone()));
        let client = self.client.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = upload(
                &client,
                &path,
                &channel_type,
                sender,
                policy.as_ref(),
                local_id,
                &tx,
                token,
            )
            .await;
            let _ = tx.send(Msg::Transfer(
                Owner::Conversation,
                Transfer::UploadDone { local_id, result },
            ));
        });
    }

    fn spawn_download(&self, ids: Vec<String>) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let dir = self.download_dir.clone();
        tokio::spawn(async move {
            let mut last = Err("nothing downloaded".to_owned());
            for id in ids {
                let progress_tx = tx.clone();
                let progress: ProgressFn = Arc::new(move |p: Progress| {
                    let _ = progress_tx.send(Msg::Transfer(
                        Owner::Conversation,
                        Transfer::DownloadProgress {
                            done: p.done,
                            total: p.total,
                        },
                    ));
                });
                last = client
                    .download_asset(&id, &dir, progress, CancellationToken::new())
                    .await
                    .map_err(|e| e.to_string());
                if last.is_err() {
                    break;
                }
            }
            let _ = tx.send(Msg::Transfer(Owner::Conversation, Transfer::DownloadDone(last)));
        });
    }

    fn spawn_api(&self, owner: Owner, call: Call) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let state_dir = self.state_dir.clone();
        let takeovers = self.takeovers.clone();
        tokio::spawn(async move {
            let reply = match call {
                Call::List { kind, page, generation } => ApiReply::Listed {
                    kind,
                    page,
                    generation,
                    result: client
                        .list_raw(
                            kind,
                            Paging {
                                page: (page > 1).then_some(page),
                                size: None,
                            },
                        )
                        .await,
                },
                Call::Get(kind, id) => ApiReply::Fetched {
                    kind,
                    result: client.get_raw(kind, &id).await,
                    id,
                },
                Call::Create(kind, body) => ApiReply::Created {
                    kind,
                    result: client.create_raw(kind, &body).await,
                },
                Call::Update(kind, id, body) => ApiReply::Updated {
                    kind,
                    result: client.update_raw(kind, &id, &body).await,
                    id,
                },
                Call::Delete(kind, id) => ApiReply::Deleted {
                    kind,
                    result: client.delete(kind, &id).await,
                    id,
                },
                Call::GetAsset(id) => ApiReply::Asset {
                    result: client.get_asset(&id).await,
                    id,
                },
                Call::SetupStep { step, kind, body } => ApiReply::SetupStep {
                    step,
                    result: client.create_raw(kind, &body).await,
                },
                Call::Send { local_id, body } => ApiReply::Sent {
                    local_id,
                    result: client.send_messages_raw(&body).await,
                },
                Call::GetTranscript(id) => ApiReply::Transcript {
                    result: client.get_conversation(&id).await.map(Box::new),
                    id,
                },
                Call::PlanTakeover {
                    app_id,
                    role,
                    console_url,
                } => ApiReply::TakeoverPlanned(
                    crate::callback_takeover::plan(&client, &app_id, &role, &console_url)
                        .await
                        .map_err(|e| e.to_string()),
                ),
                Call::ApplyTakeover(plan) => ApiReply::TakeoverApplied(
                    match crate::callback_takeover::apply(&client, &state_dir, &plan).await {
                        Ok(active) => {
                            let entry = active.entry();
                            let taken = TakenRole {
                                app_name: entry.app_name.clone(),
                                role: entry.role.clone(),
                                original: entry.original_callback.clone(),
                            };
                            // The lease stays here; the console only learns what was taken.
                            takeovers.lock().unwrap_or_else(|e| e.into_inner()).push(active);
                            Ok(taken)
                        }
                        Err(e) => Err(e.to_string()),
                    },
                ),
                Call::PlanBundle(path) => ApiReply::BundlePlanned(super::bundle_calls::plan(&client, &path).await),
                Call::ApplyBundle(planned) => {
                    ApiReply::BundleApplied(super::bundle_calls::apply(&client, &planned, owner, &tx).await)
                }
            };
            let _ = tx.send(Msg::Api(owner, reply));
            let _ = tx.send(Msg::Token(client.token_state()));
        });
    }
}

fn effects_after_edit(runtime: &Runtime, owner: Owner, result: Result<String, String>) {
    let _ = runtime.tx.send(Msg::ExternalEdit(owner, result));
}

/// Hand the terminal to `$VISUAL`/`$EDITOR` (default `vi`) on a temp file.
fn external_edit(text: &str) -> Result<String, String> {
    terminal::restore();
    // Private and unpredictable (the body may hold a password); removed when dropped.
    let file = crate::private_file::for_editing(text, ".json").map_err(|e| {
        io_error::message(
            &std::env::temp_dir(),
            Access::Write,
            "a temporary file for the editor",
            &e,
        )
    })?;
    let path = file.path().to_owned();
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
        std::fs::read_to_string(&path).map_err(|e| io_error::message(&path, Access::Read, "the edited text", &e))
    } else {
        Err(format!("{editor} exited with {status}; the edit was not applied"))
    };
    drop(file);
    result
}

/// Check a file against the asset rules and the channel's attachment policy
/// (no request is made when either refuses), then upload it with progress.
#[allow(clippy::too_many_arguments)]
async fn upload(
    client: &Client,
    path: &std::path::Path,
    channel_type: &str,
    sender: SenderType,
    policy: Option<&AttachmentPolicy>,
    local_id: u64,
    tx: &UnboundedSender<Msg>,
    cancel: CancellationToken,
) -> Result<AssetRef, String> {
    let file = check_attachment(path, policy).await?;
    let progress_tx = tx.clone();
    let progress: ProgressFn = Arc::new(move |p: Progress| {
        let _ = progress_tx.send(Msg::Transfer(
            Owner::Conversation,
            Transfer::UploadProgress {
                local_id,
                done: p.done,
                total: p.total,
            },
        ));
    });
    let uploaded = client
        .upload_asset(path, channel_type, sender, progress, cancel)
        .await
        .map_err(|e| match e {
            crate::api::ApiError::Cancelled => "upload cancelled".to_owned(),
            other => other.to_string(),
        })?;
    Ok(AssetRef {
        id: uploaded.ticket.id,
        name: Some(file.name),
        content_type: Some(file.content_type),
        size: Some(file.size),
        extra: Default::default(),
    })
}

/// The local checks of an attachment: size, name and the channel's policy.
pub async fn check_attachment(path: &std::path::Path, policy: Option<&AttachmentPolicy>) -> Result<LocalAsset, String> {
    let file = LocalAsset::inspect(path).await.map_err(|e| e.to_string())?;
    if let Some(reason) = policy.and_then(|p| p.refusal(&file.name, file.size)) {
        return Err(format!("refused by the channel's attachment policy: {reason}"));
    }
    Ok(file)
}

/// Complete a typed path: the longest common prefix of the matching entries,
/// and the matches when there are several.
pub fn complete_path(input: &str) -> (String, Vec<String>) {
    let expanded = match input.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| format!("{}/{rest}", b.home_dir().display()))
            .unwrap_or_else(|| input.to_owned()),
        None => input.to_owned(),
    };
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (&expanded[..=i], &expanded[i + 1..]),
        None => ("./", expanded.as_str()),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (input.to_owned(), Vec::new());
    };
    let mut matches: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            name.starts_with(prefix)
                .then(|| if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    matches.sort();
    let Some(first) = matches.first() else {
        return (input.to_owned(), Vec::new());
    };
    let common: String = matches.iter().skip(1).fold(first.clone(), |acc, m| {
        acc.chars()
            .zip(m.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    let base = if expanded.contains('/') {
        dir.to_owned()
    } else {
        String::new()
    };
    (
        format!("{base}{common}"),
        if matches.len() > 1 { matches } else { Vec::new() },
    )
}

/// Write a recorded scenario under a new name in its folder (never over a
/// file), with our attachments downloaded beside it.
async fn record_scenario(client: &Client, job: super::effect::ScenarioRecording) -> Result<String, String> {
    use crate::scenario::record;
    let path = record::new_path(&job.dir);
    let options = record::RecordOptions {
        account: job.account,
        ..record::RecordOptions::for_path(job.name, &path)
    };
    let recording = record::record(&job.conversation, &options);
    let saved = record::save(client, &recording, &path)
        .await
        .map_err(|e| format!("recording the scenario: {e}"))?;
    let files = match recording.attachments.len() {
        0 => String::new(),
        n => format!(" and {n} attachment(s) beside it"),
    };
    Ok(format!("saved scenario {}{files}", saved.display()))
}
