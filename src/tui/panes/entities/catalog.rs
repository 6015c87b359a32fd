//! The loaded configuration objects, one list per kind, as the console
//! reasons about them: the raw JSON (every field kept for edits), the typed
//! models where the console needs their meaning (accounts, channels,
//! applications), and each row's search text, computed once per load so a
//! filter keypress only scans cached strings.
//!
//! Lists load every page: the first page's `paginationInfo.count` says how
//! many there are, and the next page is asked for until all are in.

use serde_json::Value;

use crate::api::models::references::label;
use crate::api::models::{Account, Channel, ClientApplication, EntityKind, Page};

/// One kind's list.
#[derive(Debug, Clone, Default)]
pub struct KindList {
    pub items: Vec<Value>,
    /// Lower-cased search text per item (name, id and the redacted object).
    search: Vec<String>,
    /// The total the server reports (`paginationInfo.count`).
    pub total: usize,
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// Index into the filtered rows.
    pub selected: usize,
    /// Bumped on every reload; pages of an older load are ignored.
    pub generation: u64,
    /// Indices of the rows that pass the filter (recomputed when the
    /// filter or the items change, not per frame).
    visible: Vec<usize>,
}

impl KindList {
    /// Rows that pass the current filter.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// Whether later pages are still coming.
    pub fn is_partial(&self) -> bool {
        self.loading && self.items.len() < self.total
    }

    fn refilter(&mut self, needle: &str) {
        let needle = needle.to_lowercase();
        self.visible = if needle.is_empty() {
            (0..self.items.len()).collect()
        } else {
            self.search
                .iter()
                .enumerate()
                .filter(|(_, text)| text.contains(&needle))
                .map(|(i, _)| i)
                .collect()
        };
    }
}

/// What a page did to its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStep {
    /// More pages to load: ask for this one next.
    Next(u32),
    /// The list is complete.
    Done,
    /// The page belonged to an older load.
    Stale,
}

/// Every kind's list.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    lists: [KindList; 6],
    accounts: Vec<Account>,
    channels: Vec<Channel>,
    applications: Vec<ClientApplication>,
}

pub fn kind_index(kind: EntityKind) -> usize {
    EntityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// The text a row is filtered on: name, id and the rest of the object,
/// with secrets redacted (typing a password must not find its object).
fn search_text(kind: EntityKind, v: &Value) -> String {
    let mut shown = v.clone();
    crate::api::redact::json(&mut shown);
    format!(
        "{} {} {}",
        label(kind, v),
        v.get("id").and_then(Value::as_str).unwrap_or(""),
        shown
    )
    .to_lowercase()
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

impl Catalog {
    pub fn list(&self, kind: EntityKind) -> &KindList {
        &self.lists[kind_index(kind)]
    }

    pub fn list_mut(&mut self, kind: EntityKind) -> &mut KindList {
        &mut self.lists[kind_index(kind)]
    }

    /// Start (re)loading a kind: the generation its pages must carry.
    pub fn begin_load(&mut self, kind: EntityKind) -> u64 {
        let list = self.list_mut(kind);
        list.loading = true;
        list.generation += 1;
        list.generation
    }

    /// A page arrived. Page 1 replaces what was shown (so a deleted object
    /// goes); later pages append. Only the new rows are prepared (search
    /// text, filter, typed model), so loading n objects page by page costs
    /// O(n), not O(n²).
    pub fn page(
        &mut self,
        kind: EntityKind,
        page: u32,
        generation: u64,
        result: Page<Value>,
        filter: &str,
    ) -> PageStep {
        let list = self.list_mut(kind);
        if generation != 0 && generation != list.generation {
            return PageStep::Stale;
        }
        if page <= 1 {
            list.items.clear();
            list.search.clear();
            list.visible.clear();
        }
        let needle = filter.to_lowercase();
        let first_new = list.items.len();
        let got = result.items.len();
        for v in result.items {
            let text = search_text(kind, &v);
            if needle.is_empty() || text.contains(&needle) {
                list.visible.push(list.items.len());
            }
            list.search.push(text);
            list.items.push(v);
        }
        list.total = (result.pagination.count as usize).max(list.items.len());
        list.error = None;
        list.loaded = true;
        let more = got > 0 && list.items.len() < list.total;
        list.loading = more;
        self.retype(kind, first_new);
        if more {
            PageStep::Next(page.max(1) + 1)
        } else {
            PageStep::Done
        }
    }

    pub fn failed(&mut self, kind: EntityKind, error: String) {
        let list = self.list_mut(kind);
        list.loading = false;
        list.loaded = true;
        list.error = Some(error);
    }

    pub fn set_filter(&mut self, kind: EntityKind, filter: &str) {
        self.list_mut(kind).refilter(filter);
    }

    /// Parse the typed models of the rows from `from` on (all when 0).
    fn retype(&mut self, kind: EntityKind, from: usize) {
        fn parse<T: serde::de::DeserializeOwned>(into: &mut Vec<T>, items: &[Value], from: usize) {
            if from == 0 {
                into.clear();
            }
            into.extend(
                items[from..]
                    .iter()
                    .filter_map(|v| serde_json::from_value(v.clone()).ok()),
            );
        }
        let items = &self.lists[kind_index(kind)].items;
        match kind {
            EntityKind::Account => parse(&mut self.accounts, items, from),
            EntityKind::Channel => parse(&mut self.channels, items, from),
            EntityKind::ClientApplication => parse(&mut self.applications, items, from),
            _ => {}
        }
    }

    /// The object with `id`, as loaded.
    pub fn get(&self, kind: EntityKind, id: &str) -> Option<&Value> {
        self.list(kind).items.iter().find(|v| id_of(v) == Some(id))
    }

    /// Name of a loaded object, for labelling references.
    pub fn name_of(&self, kind: EntityKind, id: &str) -> Option<String> {
        self.get(kind, id).map(|v| label(kind, v).to_owned())
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    pub fn applications(&self) -> &[ClientApplication] {
        &self.applications
    }

    /// The channel of a channel type.
    pub fn channel_of_type(&self, channel_type: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.channel_type == channel_type)
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.meta.id.as_deref() == Some(id))
    }

    pub fn application(&self, id: &str) -> Option<&ClientApplication> {
        self.applications.iter().find(|a| a.meta.id.as_deref() == Some(id))
    }

    /// Every loaded object as (kind, id, name), for "go to".
    pub fn objects(&self) -> impl Iterator<Item = (EntityKind, &str, &str)> {
        EntityKind::ALL.into_iter().flat_map(move |kind| {
            self.list(kind)
                .items
                .iter()
                .filter_map(move |v| Some((kind, id_of(v)?, label(kind, v))))
        })
    }
}

/// The loaded lists are what a new object's names must not collide with.
impl crate::templates::Existing for Catalog {
    fn existing(&self, kind: EntityKind) -> &[Value] {
        &self.list(kind).items
    }
}
