//! Rich messages (`richMessage.listpicker`, `.quickreply`, `.richlink`):
//! a JSON document in `content.text`, in the mobile messaging SDK's format
//! (see the spec README, "Rich content format"). The format is not in the
//! API reference, so parsing is lenient: anything it cannot read is shown
//! as the raw text rather than hidden.

use serde_json::Value;

/// A rich message, parsed once when it arrives.
#[derive(Debug, Clone, PartialEq)]
pub enum Rich {
    ListPicker {
        title: String,
        subtitle: Option<String>,
        sections: Vec<Section>,
        /// The sender allows several picks (the console still sends one).
        multiple: bool,
    },
    QuickReply {
        title: String,
        options: Vec<Choice>,
    },
    RichLink {
        title: Option<String>,
        /// Where the link leads.
        url: String,
        /// Preview image, when the link has one besides the target.
        image: Option<String>,
    },
    /// A rich type this build does not read, or content it could not parse:
    /// the text as received.
    Unknown(String),
}

/// A titled group of list-picker items.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: Option<String>,
    pub items: Vec<Item>,
}

/// One list-picker item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
}

/// Something the customer can pick: a list item or a quick-reply option.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: String,
    pub title: String,
}

/// Whether messages of this type carry rich content.
pub fn is_rich_type(message_type: &str) -> bool {
    message_type.starts_with("richMessage.")
}

impl Rich {
    /// The rich content of a message of `message_type` with `text`.
    pub fn parse(message_type: &str, text: &str) -> Rich {
        let parsed = serde_json::from_str::<Value>(text).ok().filter(Value::is_object);
        let rich = parsed.and_then(|doc| match message_type {
            "richMessage.listpicker" => list_picker(&doc),
            "richMessage.quickreply" => quick_reply(&doc),
            "richMessage.richlink" => rich_link(&doc),
            _ => None,
        });
        rich.unwrap_or_else(|| Rich::Unknown(text.to_owned()))
    }

    /// What the customer can pick, numbered as [`Rich::to_lines`] shows them.
    pub fn choices(&self) -> Vec<Choice> {
        match self {
            Rich::ListPicker { sections, .. } => sections
                .iter()
                .flat_map(|s| &s.items)
                .map(|i| Choice {
                    id: i.id.clone(),
                    title: i.title.clone(),
                })
                .collect(),
            Rich::QuickReply { options, .. } => options.clone(),
            Rich::RichLink { .. } | Rich::Unknown(_) => Vec::new(),
        }
    }

    /// The pick at `index` (0-based), if there is one.
    pub fn choice(&self, index: usize) -> Option<Choice> {
        self.choices().into_iter().nth(index)
    }

    /// A readable rendering: title lines, then numbered options (1-based).
    pub fn to_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match self {
            Rich::ListPicker {
                title,
                subtitle,
                sections,
                multiple,
            } => {
                push_nonempty(&mut lines, title);
                if let Some(s) = subtitle {
                    push_nonempty(&mut lines, s);
                }
                if *multiple {
                    lines.push("(several may be picked)".into());
                }
                let mut n = 0;
                for section in sections {
                    if let Some(t) = &section.title {
                        push_nonempty(&mut lines, t);
                    }
                    for item in &section.items {
                        n += 1;
                        match &item.subtitle {
                            Some(sub) => lines.push(format!("  {n}. {} \u{2014} {sub}", item.title)),
                            None => lines.push(format!("  {n}. {}", item.title)),
                        }
                    }
                }
            }
            Rich::QuickReply { title, options } => {
                push_nonempty(&mut lines, title);
                for (i, option) in options.iter().enumerate() {
                    lines.push(format!("  {}. {}", i + 1, option.title));
                }
            }
            Rich::RichLink { title, url, image } => {
                if let Some(t) = title {
                    push_nonempty(&mut lines, t);
                }
                lines.push(format!("\u{2192} {url}"));
                if let Some(image) = image {
                    lines.push(format!("  image: {image}"));
                }
            }
            Rich::Unknown(raw) => lines.extend(raw.lines().map(str::to_owned)),
        }
        lines
    }
}

/// The text the customer sends to pick option `index` (0-based): the
/// option's title, which is what a person would type (and what the sandbox
/// bot reacts to). `None` when there is no such option.
pub fn answer_text(rich: &Rich, index: usize) -> Option<String> {
    rich.choice(index).map(|c| c.title)
}

/// The status of a `conversation.state` message (`{"status":"escalated"}`),
/// if its text is in that shape.
pub fn conversation_state(text: &str) -> Option<String> {
    let doc: Value = serde_json::from_str(text).ok()?;
    doc.get("status").and_then(Value::as_str).map(str::to_owned)
}

fn push_nonempty(lines: &mut Vec<String>, s: &str) {
    if !s.trim().is_empty() {
        lines.push(s.to_owned());
    }
}

fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first_string(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| string(v, k))
}

/// `{title, subtitle, list:{multipleSelection, sections:[{title, order,
/// items:[{id, title, subtitle}]}]}}`; also accepts items without sections.
/// `None` (show raw) when no item has a title.
fn list_picker(doc: &Value) -> Option<Rich> {
    let list = doc.get("list").unwrap_or(doc);
    let mut raw_sections: Vec<&Value> = match list.get("sections").and_then(Value::as_array) {
        Some(sections) => sections.iter().collect(),
        None => vec![list],
    };
    raw_sections.sort_by_key(|s| s.get("order").and_then(Value::as_i64).unwrap_or(i64::MAX));
    let sections: Vec<Section> = raw_sections
        .into_iter()
        .map(|s| Section {
            title: string(s, "title").filter(|_| !std::ptr::eq(s, list)),
            items: s
                .get("items")
                .and_then(Value::as_array)
                .map(|items| items.iter().enumerate().filter_map(|(i, v)| item(v, i)).collect())
                .unwrap_or_default(),
        })
        .filter(|s| !s.items.is_empty())
        .collect();
    if sections.is_empty() {
        return None;
    }
    Some(Rich::ListPicker {
        title: first_string(doc, &["title"])
            .or_else(|| string(list, "title"))
            .unwrap_or_default(),
        subtitle: string(doc, "subtitle"),
        sections,
        multiple: list.get("multipleSelection").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn item(v: &Value, index: usize) -> Option<Item> {
    let title = first_string(v, &["title", "text", "label"])?;
    Some(Item {
        id: first_string(v, &["id", "payload", "value"]).unwrap_or_else(|| (index + 1).to_string()),
        title,
        subtitle: string(v, "subtitle"),
    })
}

/// Assumed like the list picker: `{title, options:[{id, title}]}`; also
/// `quickReplies`/`replies`/`buttons`/`items`, and options given as strings.
fn quick_reply(doc: &Value) -> Option<Rich> {
    let list = ["options", "quickReplies", "replies", "buttons", "items"]
        .iter()
        .find_map(|k| doc.get(*k).and_then(Value::as_array))?;
    let options: Vec<Choice> = list
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            Value::String(s) if !s.trim().is_empty() => Some(Choice {
                id: s.clone(),
                title: s.clone(),
            }),
            other => item(other, i).map(|it| Choice {
                id: it.id,
                title: it.title,
            }),
        })
        .collect();
    if options.is_empty() {
        return None;
    }
    Some(Rich::QuickReply {
        title: first_string(doc, &["title", "text"]).unwrap_or_default(),
        options,
    })
}

/// `{type:"web_url", images:[{title, url, link, mimeType, style}]}`: `link`
/// is the target and `url` the preview when both are given; a plain
/// `{title, url}` is accepted too.
fn rich_link(doc: &Value) -> Option<Rich> {
    let image = doc.get("images").and_then(Value::as_array).and_then(|a| a.first());
    let from = |key: &str| image.and_then(|i| string(i, key)).or_else(|| string(doc, key));
    let link = from("link");
    let url = from("url");
    let (target, preview) = match (link, url) {
        (Some(link), url) => (link, url),
        (None, Some(url)) => (url, None),
        (None, None) => return None,
    };
    Some(Rich::RichLink {
        title: from("title"),
        url: target,
        image: preview,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_reply_in_several_spellings() {
        let a = Rich::parse(
            "richMessage.quickreply",
            r#"{"title":"Happy?","options":[{"id":"y","title":"Yes"},{"id":"n","title":"No"}]}"#,
        );
        let b = Rich::parse("richMessage.quickreply", r#"{"text":"Happy?","replies":["Yes","No"]}"#);
        assert_eq!(a.to_lines(), ["Happy?", "  1. Yes", "  2. No"]);
        assert_eq!(b.to_lines(), a.to_lines());
        assert_eq!(answer_text(&a, 1).as_deref(), Some("No"));
        assert_eq!(a.choice(0).map(|c| c.id).as_deref(), Some("y"));
        assert_eq!(answer_text(&a, 2), None);
    }

    #[test]
    fn rich_link_target_and_preview() {
        let r = Rich::parse(
            "richMessage.richlink",
            r#"{"version":"1","type":"web_url","images":[{"title":"Docs","url":"https://x/img.png","link":"https://x/docs","mimeType":"image/png"}]}"#,
        );
        assert_eq!(
            r,
            Rich::RichLink {
                title: Some("Docs".into()),
                url: "https://x/docs".into(),
                image: Some("https://x/img.png".into())
            }
        );
        assert!(r.choices().is_empty());
    }

    #[test]
    fn state_status() {
        assert_eq!(
            conversation_state(r#"{"status":"escalated"}"#).as_deref(),
            Some("escalated")
        );
        assert_eq!(conversation_state("escalated"), None);
    }
}
