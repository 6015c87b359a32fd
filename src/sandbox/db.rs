//! The sandbox's database: SQLite (WAL), one row per configuration object,
//! conversation, message, asset and delivery, each change its own small
//! transaction, so an acknowledged write survives `kill -9` and no write
//! rewrites more than the rows it changes. `--state FILE` names the file
//! (asset content lives beside it in `FILE.assets/`); without it the same
//! database lives in a temporary directory removed at exit.
//!
//! Opening validates what it loads (ids, unique names, references) and
//! refuses an inconsistent file with a message naming the problem. A JSON
//! state file of the earlier format is migrated: kept as `FILE.v1.json`,
//! its objects checked and written into a new database at `FILE`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::store::Store;
use crate::api::models::EntityKind;
use crate::api::models::references::{edges, label};
use crate::io_error::{self, Access};

/// Marks a database as a sandbox state file, and its layout version.
const APPLICATION_ID: i32 = 0x4567_6E31; // "EgN1"
const SCHEMA_VERSION: i32 = 1;
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS objects (
    id   TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
    id     TEXT PRIMARY KEY,
    open   INTEGER NOT NULL,
    header TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    conversation TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (conversation, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assets (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created      TEXT NOT NULL,
    stored       INTEGER NOT NULL,
    used         INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    n    INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    n            INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    message_id   TEXT NOT NULL,
    message_type TEXT NOT NULL,
    target       TEXT NOT NULL,
    body         BLOB NOT NULL
);
";

/// A delivery not yet made: written with the message it carries, removed
/// when its outcome is known, so a restart resends what a kill interrupted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Row id, in acceptance order (0 until written).
    pub n: i64,
    pub conversation: String,
    /// The message's place in the transcript.
    pub seq: u64,
    pub message_id: String,
    pub message_type: String,
    /// The recipient (hub JSON).
    pub target: String,
    /// The callback body.
    pub body: bytes::Bytes,
}

/// An asset's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub created: String,
    /// Content is on disk.
    pub stored: bool,
    pub used: bool,
    /// When the upload ticket expires (ms since the epoch); pending rows past it are pruned.
    pub expires_ms: i64,
}

/// One conversation's changes within a send: its new header and new messages.
pub struct ConversationWrite<'a> {
    pub id: &'a str,
    pub open: bool,
    pub header: String,
    /// (sequence number, message JSON)
    pub messages: Vec<(u64, String)>,
}

/// What opening found.
#[derive(Default)]
pub struct Loaded {
    pub store: Store,
    /// (header JSON, message count) of every open conversation.
    pub open_conversations: Vec<(String, u64)>,
    pub assets: Vec<AssetRow>,
    /// The newest delivery records, oldest first.
    pub deliveries: Vec<String>,
    /// Deliveries accepted but not made, in acceptance order.
    pub outbox: Vec<OutboxRow>,
    /// What the caller should tell the user (a migration, for example).
    pub notices: Vec<String>,
}

pub struct Db {
    conn: Mutex<Connection>,
    assets: AssetsDir,
    /// Shown in errors.
    label: String,
}

/// Where asset content files live.
enum AssetsDir {
    /// Beside the `--state` file, created when the database opens.
    Beside(PathBuf),
    /// A run without `--state`: a temporary folder, removed at exit, made on
    /// first use (content stays in memory up to the cap, so most runs never
    /// need one and start without two directory creations).
    Temporary(std::sync::OnceLock<Result<tempfile::TempDir, String>>),
}

fn sql(context: &str) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("{context}: {e}")
}

impl Db {
    /// Open (or create) the database; `None` means a temporary one.
    pub fn open(path: Option<&Path>, delivery_keep: usize) -> Result<(Self, Loaded), String> {
        let (assets, label) = match path {
            Some(path) => {
                let mut assets = path.as_os_str().to_owned();
                assets.push(".assets");
                (AssetsDir::Beside(PathBuf::from(assets)), path.display().to_string())
            }
            None => (
                AssetsDir::Temporary(std::sync::OnceLock::new()),
                "the in-memory sandbox database".to_owned(),
            ),
        };
        let mut notices = Vec::new();
        let migrated = match path {
            Some(path) => migrate_json(path, &mut notices)?,
            None => None,
        };
        let conn = match path {
            // Without a state file nothing outlives the process: the database lives in
            // memory (no file to create, lock or write) and asset content in the
            // temporary folder.
            None => Connection::open_in_memory().map_err(|e| format!("{label}: cannot open: {e}"))?,
            Some(db_path) => {
                if !db_path.exists() {
                    create_private(db_path)?;
                }
                let conn = Connection::open(db_path).map_err(|e| format!("{label}: cannot open: {e}"))?;
                check_ours(&conn, &label)?;
                conn.pragma_update(None, "journal_mode", "WAL").map_err(sql(&label))?;
                // WAL + NORMAL: a committed transaction is in the WAL file before the
                // call returns, so it survives the process being killed.
                conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql(&label))?;
                conn
            }
        };
        // One transaction for the whole layout: one commit, not one per table.
        let tx = conn.unchecked_transaction().map_err(sql(&label))?;
        tx.execute_batch(SCHEMA).map_err(sql(&label))?;
        if path.is_some() {
            // What `check_ours` reads back on the next start.
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(sql(&label))?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sql(&label))?;
        }
        tx.commit().map_err(sql(&label))?;
        if let AssetsDir::Beside(dir) = &assets {
            io_error::create_folder(dir, "the assets folder")?;
        }
        let db = Self {
            conn: Mutex::new(conn),
            assets,
            label,
        };
        if let Some(store) = migrated {
            for kind in EntityKind::ALL {
                for value in store.iter(kind) {
                    let id = value.get("id").and_then(Value::as_str).unwrap_or_default();
                    let seq = store.seq(kind, id).unwrap_or_default();
                    db.put_object(kind, id, seq, value)?;
                }
            }
        }
        // An in-memory database was created just now: nothing to read back.
        let loaded = match db.is_temporary() {
            true => Loaded::default(),
            false => db.load(delivery_keep, notices)?,
        };
        Ok((db, loaded))
    }

    /// Refuse every further write (`PRAGMA query_only`): how tests show that
    /// a failed save is answered as such and changes nothing.
    pub fn refuse_writes(&self) -> Result<(), String> {
        self.lock()
            .pragma_update(None, "query_only", true)
            .map_err(sql(&self.label))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where asset content files live, made now if this is the first use
    /// of a temporary folder.
    pub fn assets_dir(&self) -> Result<&Path, String> {
        match &self.assets {
            AssetsDir::Beside(dir) => Ok(dir),
            AssetsDir::Temporary(made) => made
                .get_or_init(|| {
                    tempfile::Builder::new()
                        .prefix("egain-sandbox-")
                        .tempdir()
                        .map_err(|e| {
                            io_error::message(
                                &std::env::temp_dir(),
                                Access::Write,
                                "a temporary folder for the sandbox's assets",
                                &e,
                            )
                        })
                })
                .as_ref()
                .map(|dir| dir.path())
                .map_err(Clone::clone),
        }
    }

    /// The assets folder if it exists, without making one (for removals).
    pub fn existing_assets_dir(&self) -> Option<&Path> {
        match &self.assets {
            AssetsDir::Beside(dir) => Some(dir),
            AssetsDir::Temporary(made) => made.get()?.as_ref().ok().map(|dir| dir.path()),
        }
    }

    /// A run without `--state`: the database is in memory and the assets
    /// folder removed at exit, so nothing needs to outlive the process.
    pub fn is_temporary(&self) -> bool {
        matches!(self.assets, AssetsDir::Temporary(_))
    }

    /// Read everything back, validating the configuration objects.
    fn load(&self, delivery_keep: usize, notices: Vec<String>) -> Result<Loaded, String> {
        let conn = self.lock();
        let label = &self.label;
        let mut rows = Vec::new();
        {
            let mut stmt = conn
                .prepare("SELECT id, kind, seq, body FROM objects ORDER BY seq")
                .map_err(sql(label))?;
            let mut query = stmt.query([]).map_err(sql(label))?;
            while let Some(row) = query.next().map_err(sql(label))? {
                let id: String = row.get(0).map_err(sql(label))?;
                let kind: String = row.get(1).map_err(sql(label))?;
                let seq: i64 = row.get(2).map_err(sql(label))?;
                let body: String = row.get(3).map_err(sql(label))?;
                rows.push((id, kind, seq, body));
            }
        }
        let mut objects = Vec::with_capacity(rows.len());
        for (id, kind, seq, body) in rows {
            let kind = parse_kind(&kind).ok_or_else(|| {
                format!(
                    "{label}: object {id} has an unknown kind '{kind}'; the file is damaged or from another program"
                )
            })?;
            let value: Value =
                serde_json::from_str(&body).map_err(|e| format!("{label}: {kind} {id} is not valid JSON: {e}"))?;
            objects.push((kind, u64::try_from(seq).unwrap_or_default(), value));
        }
        let store = build_store(label, objects)?;

        let mut open_conversations = Vec::new();
        {
            let mut stmt = conn
                .prepare(
                    "SELECT c.header, (SELECT count(*) FROM messages m WHERE m.conversation = c.id)
                     FROM conversations c WHERE c.open = 1",
                )
                .map_err(sql(label))?;
            let mut query = stmt.query([]).map_err(sql(label))?;
            while let Some(row) = query.next().map_err(sql(label))? {
                let header: String = row.get(0).map_err(sql(label))?;
                let count: i64 = row.get(1).map_err(sql(label))?;
                open_conversations.push((header, u64::try_from(count).unwrap_or_default()));
            }
        }
        let mut assets = Vec::new();
        {
            let mut stmt = conn
                .prepare("SELECT id, name, size, content_type, created, stored, used, expires_ms FROM assets")
                .map_err(sql(label))?;
            let mut query = stmt.query([]).map_err(sql(label))?;
            while let Some(row) = query.next().map_err(sql(label))? {
                let size: i64 = row.get(2).map_err(sql(label))?;
                assets.push(AssetRow {
                    id: row.get(0).map_err(sql(label))?,
                    name: row.get(1).map_err(sql(label))?,
                    size: u64::try_from(size).unwrap_or_default(),
                    content_type: row.get(3).map_err(sql(label))?,
                    created: row.get(4).map_err(sql(label))?,
                    stored: row.get(5).map_err(sql(label))?,
                    used: row.get(6).map_err(sql(label))?,
                    expires_ms: row.get(7).map_err(sql(label))?,
                });
            }
        }
        let mut deliveries = Vec::new();
        {
            let keep = i64::try_from(delivery_keep).unwrap_or(i64::MAX);
            let mut stmt = conn
                .prepare("SELECT body FROM (SELECT n, body FROM deliveries ORDER BY n DESC LIMIT ?1) ORDER BY n")
                .map_err(sql(label))?;
            let mut query = stmt.query([keep]).map_err(sql(label))?;
            while let Some(row) = query.next().map_err(sql(label))? {
                deliveries.push(row.get(0).map_err(sql(label))?);
            }
        }
        let mut outbox = Vec::new();
        {
            let mut stmt = conn
                .prepare("SELECT n, conversation, seq, message_id, message_type, target, body FROM outbox ORDER BY n")
                .map_err(sql(label))?;
            let mut query = stmt.query([]).map_err(sql(label))?;
            while let Some(row) = query.next().map_err(sql(label))? {
                let seq: i64 = row.get(2).map_err(sql(label))?;
                let body: Vec<u8> = row.get(6).map_err(sql(label))?;
                outbox.push(OutboxRow {
                    n: row.get(0).map_err(sql(label))?,
                    conversation: row.get(1).map_err(sql(label))?,
                    seq: u64::try_from(seq).unwrap_or_default(),
                    message_id: row.get(3).map_err(sql(label))?,
                    message_type: row.get(4).map_err(sql(label))?,
                    target: row.get(5).map_err(sql(label))?,
                    body: body.into(),
                });
            }
        }
        Ok(Loaded {
            store,
            open_conversations,
            assets,
            deliveries,
            outbox,
            notices,
        })
    }

    fn write(
        &self,
        what: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
    ) -> Result<(), String> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| format!("{}: {what}: {e}", self.label))?;
        f(&tx).map_err(|e| format!("{}: {what}: {e}", self.label))?;
        tx.commit().map_err(|e| format!("{}: {what}: {e}", self.label))
    }

    pub fn put_object(&self, kind: EntityKind, id: &str, seq: u64, value: &Value) -> Result<(), String> {
        let body = value.to_string();
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.write("saving an object", |tx| {
            tx.prepare_cached("INSERT OR REPLACE INTO objects (id, kind, seq, body) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![id, kind_key(kind), seq, body])?;
            Ok(())
        })
    }

    pub fn delete_object(&self, id: &str) -> Result<(), String> {
        self.write("deleting an object", |tx| {
            tx.prepare_cached("DELETE FROM objects WHERE id = ?1")?.execute([id])?;
            Ok(())
        })
    }

    /// One send: every touched conversation's header and new messages, the
    /// assets it used and the deliveries it queues, in one transaction.
    /// Answers the outbox row ids, in the order of `outbox`.
    pub fn commit_send(
        &self,
        writes: &[ConversationWrite<'_>],
        used_assets: &[String],
        outbox: &[&OutboxRow],
    ) -> Result<Vec<i64>, String> {
        let mut ids = Vec::with_capacity(outbox.len());
        self.write("saving messages", |tx| {
            let mut queue = tx.prepare_cached(
                "INSERT INTO outbox (conversation, seq, message_id, message_type, target, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for row in outbox {
                queue.execute(params![
                    row.conversation,
                    i64::try_from(row.seq).unwrap_or(i64::MAX),
                    row.message_id,
                    row.message_type,
                    row.target,
                    row.body.as_ref()
                ])?;
                ids.push(tx.last_insert_rowid());
            }
            let mut header =
                tx.prepare_cached("INSERT OR REPLACE INTO conversations (id, open, header) VALUES (?1, ?2, ?3)")?;
            let mut message =
                tx.prepare_cached("INSERT OR REPLACE INTO messages (conversation, seq, body) VALUES (?1, ?2, ?3)")?;
            for w in writes {
                header.execute(params![w.id, w.open, w.header])?;
                for (seq, body) in &w.messages {
                    message.execute(params![w.id, i64::try_from(*seq).unwrap_or(i64::MAX), body])?;
                }
            }
            let mut used = tx.prepare_cached("UPDATE assets SET used = 1 WHERE id = ?1")?;
            for id in used_assets {
                used.execute([id])?;
            }
            Ok(())
        })?;
        Ok(ids)
    }

    /// Rewrite one stored message (its delivery status changed).
    pub fn update_message(&self, conversation: &str, seq: u64, body: &str) -> Result<(), String> {
        self.write("updating a message", |tx| {
            tx.prepare_cached("UPDATE messages SET body = ?3 WHERE conversation = ?1 AND seq = ?2")?
                .execute(params![conversation, i64::try_from(seq).unwrap_or(i64::MAX), body])?;
            Ok(())
        })
    }

    /// One stored message.
    pub fn message(&self, conversation: &str, seq: u64) -> Result<Option<String>, String> {
        self.lock()
            .prepare_cached("SELECT body FROM messages WHERE conversation = ?1 AND seq = ?2")
            .and_then(|mut s| {
                s.query_row(params![conversation, i64::try_from(seq).unwrap_or(i64::MAX)], |r| {
                    r.get(0)
                })
                .optional()
            })
            .map_err(sql(&self.label))
    }

    /// A conversation's header and whether it is open.
    pub fn conversation(&self, id: &str) -> Result<Option<(bool, String)>, String> {
        self.lock()
            .prepare_cached("SELECT open, header FROM conversations WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(sql(&self.label))
    }

    /// A conversation's messages, in order.
    pub fn messages(&self, conversation: &str) -> Result<Vec<String>, String> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT body FROM messages WHERE conversation = ?1 ORDER BY seq")
            .map_err(sql(&self.label))?;
        let rows = stmt.query_map([conversation], |r| r.get(0)).map_err(sql(&self.label))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(sql(&self.label))
    }

    pub fn put_asset(&self, row: &AssetRow) -> Result<(), String> {
        self.write("saving an asset", |tx| {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO assets (id, name, size, content_type, created, stored, used, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                row.id,
                row.name,
                i64::try_from(row.size).unwrap_or(i64::MAX),
                row.content_type,
                row.created,
                row.stored,
                row.used,
                row.expires_ms
            ])?;
            Ok(())
        })
    }

    pub fn delete_assets(&self, ids: &[String]) -> Result<(), String> {
        self.write("deleting assets", |tx| {
            let mut stmt = tx.prepare_cached("DELETE FROM assets WHERE id = ?1")?;
            for id in ids {
                stmt.execute([id])?;
            }
            Ok(())
        })
    }

    /// Record a delivery outcome and take it off the outbox (row `n`); keep
    /// the newest `keep` records.
    pub fn finish_delivery(&self, n: i64, body: &str, keep: usize) -> Result<(), String> {
        self.write("saving a delivery record", |tx| {
            tx.prepare_cached("DELETE FROM outbox WHERE n = ?1")?.execute([n])?;
            tx.prepare_cached("INSERT INTO deliveries (body) VALUES (?1)")?
                .execute([body])?;
            let n = tx.last_insert_rowid();
            let keep = i64::try_from(keep).unwrap_or(i64::MAX);
            // Prune in batches, not on every insert.
            if n % 64 == 0 {
                tx.prepare_cached("DELETE FROM deliveries WHERE n <= ?1")?
                    .execute([n.saturating_sub(keep)])?;
            }
            Ok(())
        })
    }
}

/// Create the file readable by its owner only: it holds callback passwords.
fn create_private(path: &Path) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map(|_| ())
        .map_err(|e| io_error::message(path, Access::Write, "the state file", &e))
}

fn kind_key(kind: EntityKind) -> &'static str {
    kind.segment()
}

fn parse_kind(key: &str) -> Option<EntityKind> {
    EntityKind::ALL.into_iter().find(|k| k.segment() == key)
}

/// Build the in-memory store from loaded objects, refusing duplicates and
/// dangling references with a message naming the object and the field.
fn build_store(label: &str, objects: Vec<(EntityKind, u64, Value)>) -> Result<Store, String> {
    let mut store = Store::default();
    let mut seen: HashMap<String, EntityKind> = HashMap::new();
    for (kind, seq, value) in objects {
        let Some(id) = value.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return Err(format!("{label}: a {kind} has no id; the file is damaged"));
        };
        if id.chars().count() != 36 {
            return Err(format!(
                "{label}: {kind} '{}' has id '{id}', which is not 36 characters",
                label_text(kind, &value)
            ));
        }
        if let Some(other) = seen.insert(id.clone(), kind) {
            return Err(format!(
                "{label}: id {id} is used twice (a {other} and a {kind}); the file is damaged"
            ));
        }
        if let Some(name) = value.get(kind.unique_field()).and_then(Value::as_str)
            && let Some(clash) = store.by_label(kind, name)
        {
            return Err(format!(
                "{label}: two {kind}s have {} '{name}' ({} and {id}); rename or delete one",
                kind.unique_field(),
                clash.get("id").and_then(Value::as_str).unwrap_or("?")
            ));
        }
        store.put(kind, seq, value);
    }
    for kind in EntityKind::ALL {
        for value in store.iter(kind) {
            for edge in edges(kind, value) {
                if store.get(edge.target, &edge.id).is_none() {
                    return Err(format!(
                        "{label}: {kind} '{}' ({}) refers at {} to {} {}, which does not exist; fix or remove that reference",
                        label_text(kind, value),
                        value.get("id").and_then(Value::as_str).unwrap_or("?"),
                        edge.path,
                        edge.target,
                        edge.id
                    ));
                }
            }
        }
    }
    Ok(store)
}

fn label_text(kind: EntityKind, value: &Value) -> String {
    label(kind, value).to_string()
}

/// A user's state file must be a sandbox database this build can read.
fn check_ours(conn: &Connection, label: &str) -> Result<(), String> {
    let not_ours = |why: String| {
        format!("{label} is not a sandbox state file ({why}). Point --state at a new file, or move this one away.")
    };
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not_ours(e.to_string()))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| not_ours(e.to_string()))?;
    if app_id != APPLICATION_ID && tables > 0 {
        return Err(not_ours("it is an SQLite database of something else".into()));
    }
    let version: i32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql(label))?;
    if version > SCHEMA_VERSION {
        return Err(format!(
            "{label} was written by a newer egain-console (state version {version}, this build knows {SCHEMA_VERSION}); upgrade, or use another --state file."
        ));
    }
    Ok(())
}

/// A state file in the earlier JSON format: check it, keep it as
/// `FILE.v1.json`, and hand its objects over for the new database.
fn migrate_json(path: &Path, notices: &mut Vec<String>) -> Result<Option<Store>, String> {
    let head = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error::message(path, Access::Read, "the state file", &e)),
    };
    if head.is_empty() || head.starts_with(SQLITE_MAGIC) {
        if head.is_empty() {
            // An empty file (e.g. made by `touch`): start a database in it.
            std::fs::remove_file(path)
                .map_err(|e| io_error::message(path, Access::Write, "the empty state file", &e))?;
        }
        return Ok(None);
    }
    let shown = path.display();
    let old: Value = serde_json::from_slice(&head).map_err(|e| {
        format!("{shown} is neither a sandbox database nor a JSON state file of an earlier version ({e}); point --state at a new file, or move this one away")
    })?;
    let Some(objects) = old.get("objects").and_then(Value::as_object) else {
        return Err(format!(
            "{shown} is JSON but not a sandbox state file (no \"objects\"); point --state at a new file, or move this one away"
        ));
    };
    let mut loaded = Vec::new();
    let mut seq = 0u64;
    for (key, list) in objects {
        let kind: EntityKind = serde_json::from_value(Value::String(key.clone()))
            .map_err(|_| format!("{shown}: unknown object kind '{key}' in the JSON state file"))?;
        for value in list.as_array().into_iter().flatten() {
            seq += 1;
            loaded.push((kind, seq, value.clone()));
        }
    }
    loaded.sort_by_key(|(kind, seq, _)| (EntityKind::ALL.iter().position(|k| k == kind), *seq));
    let store = build_store(&shown.to_string(), loaded)?;
    let mut backup = path.as_os_str().to_owned();
    backup.push(".v1.json");
    let backup = PathBuf::from(backup);
    if backup.exists() {
        return Err(format!(
            "{shown} is a JSON state file of an earlier version, but {} already exists; move one of them away and start again",
            backup.display()
        ));
    }
    std::fs::rename(path, &backup).map_err(|e| {
        format!(
            "{shown}: cannot keep the old file as {}: {}",
            backup.display(),
            io_error::reason(&backup, Access::Write, &e)
        )
    })?;
    notices.push(format!(
        "{shown}: migrated the JSON state file of an earlier version into a database ({} objects); the original is kept as {}",
        EntityKind::ALL.iter().map(|k| store.count(*k)).sum::<usize>(),
        backup.display()
    ));
    Ok(Some(store))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CHANNEL: &str = "00000000-0000-4000-8000-000000000005";
    const ACCOUNT: &str = "00000000-0000-4000-8000-000000000007";

    #[test]
    fn a_dangling_reference_is_refused_naming_it() {
        let objects = vec![(
            EntityKind::Account,
            1,
            json!({"id": ACCOUNT, "name": "Orders", "address": "1", "channel": {"id": CHANNEL}}),
        )];
        let err = build_store("state.db", objects).expect_err("refused");
        assert!(
            err.contains("Orders") && err.contains("$.channel.id") && err.contains(CHANNEL),
            "{err}"
        );
    }

    #[test]
    fn duplicate_ids_and_names_are_refused() {
        let a = json!({"id": CHANNEL, "type": "sms"});
        let err = build_store(
            "f",
            vec![(EntityKind::Channel, 1, a.clone()), (EntityKind::Channel, 2, a)],
        )
        .expect_err("refused");
        assert!(err.contains("used twice"), "{err}");
        let err = build_store(
            "f",
            vec![
                (EntityKind::Channel, 1, json!({"id": CHANNEL, "type": "sms"})),
                (EntityKind::Channel, 2, json!({"id": ACCOUNT, "type": "sms"})),
            ],
        )
        .expect_err("refused");
        assert!(err.contains("type 'sms'"), "{err}");
    }
}
