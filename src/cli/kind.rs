//! KIND on the command line: API names, their singulars, the console's tab names.

use crate::api::models::EntityKind;

/// Every accepted spelling per kind (compared case-insensitively).
const NAMES: [(EntityKind, &[&str]); 6] = [
    (
        EntityKind::Authentication,
        &["authentications", "authentication", "auth", "auths"],
    ),
    (
        EntityKind::ClientApplication,
        &[
            "clientapplications",
            "clientapplication",
            "apps",
            "app",
            "application",
            "applications",
        ],
    ),
    (EntityKind::Participant, &["participants", "participant", "bots", "bot"]),
    (EntityKind::Channel, &["channels", "channel", "chan"]),
    (EntityKind::Orchestration, &["orchestrations", "orchestration", "orch"]),
    (EntityKind::Account, &["accounts", "account", "accts", "acct"]),
];

/// The kind `text` names, or a message listing what is accepted.
pub fn parse(text: &str) -> Result<EntityKind, String> {
    let lower = text.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(kind, _)| *kind)
        .ok_or_else(|| {
            let api: Vec<&str> = EntityKind::ALL.iter().map(|k| k.segment()).collect();
            format!(
                "KIND: \"{text}\" is not a kind; use one of {} (or a singular, or auth, apps, bots, chan, orch, accts)",
                api.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_singulars_and_tab_names() {
        assert_eq!(parse("clientapplications"), Ok(EntityKind::ClientApplication));
        assert_eq!(parse("Channel"), Ok(EntityKind::Channel));
        assert_eq!(parse("bots"), Ok(EntityKind::Participant));
        assert_eq!(parse("Accts"), Ok(EntityKind::Account));
        assert_eq!(parse("client-application"), Ok(EntityKind::ClientApplication));
        assert!(
            parse("widgets")
                .unwrap_err()
                .contains("authentications, clientapplications")
        );
    }
}
