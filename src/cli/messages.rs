//! `send` and `transcript`: one message with the console's templates, and
//! a conversation's transcript.

use serde_json::Value;

use super::args::{SendArgs, TranscriptArgs, TranscriptFormat};
use super::get::api_failure;
use super::output::out;
use super::run::{Ctx, Failure};
use crate::api::models::EntityKind;
use crate::api::models::conversation::{ContactPoint, SenderType};
use crate::api::models::references::label;
use crate::config::Config;
use crate::conversation::templates::{MessageContext, MessageTemplates, OutgoingKind};
use crate::conversation::transcript;

/// The message templates, with the user's overrides beside the config file (as the console loads them).
fn templates(ctx: &Ctx) -> Result<MessageTemplates, Failure> {
    let dir = Config::messages_dir(ctx.config_path.as_deref());
    MessageTemplates::load(dir.as_deref()).map_err(|e| Failure::Usage(e.to_string()))
}

fn role(text: &str) -> Result<SenderType, Failure> {
    match text.parse::<SenderType>() {
        Ok(SenderType::Other(_)) | Err(_) => Err(Failure::Usage(format!(
            "--as: \"{text}\" is not a role; use one of {}",
            SenderType::KNOWN.join(", ")
        ))),
        Ok(role) => Ok(role),
    }
}

/// `send --as ROLE --account NAME [--conversation ID] TEXT`: prints the conversation id.
pub async fn send(ctx: &Ctx, args: &SendArgs) -> Result<(), Failure> {
    let role = role(&args.role)?;
    if args.text.trim().is_empty() {
        return Err(Failure::Usage("TEXT: nothing to send".into()));
    }
    if role != SenderType::Customer && args.conversation.is_none() {
        return Err(Failure::Usage(format!(
            "--conversation: a {role} cannot open a conversation; pass the id of one to reply in"
        )));
    }
    let templates = templates(ctx)?;
    ctx.refuse_if_read_only("send")?;
    let target = ctx.connect().await?;
    let accounts = target
        .client
        .list_all_raw(EntityKind::Account)
        .await
        .map_err(|e| api_failure("listing accounts", &e))?;
    let Some(account) = accounts.iter().find(|a| label(EntityKind::Account, a) == args.account) else {
        let names: Vec<String> = accounts
            .iter()
            .map(|a| format!("\"{}\"", label(EntityKind::Account, a)))
            .collect();
        return Err(Failure::Failed(format!(
            "--account: profile `{}` has no account named \"{}\" (accounts: {})",
            target.session.profile,
            args.account,
            if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        )));
    };
    let text_at = |pointer: &str| account.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    let channel_id = text_at("/channel/id").unwrap_or_default();
    let channel = target
        .client
        .get_raw(EntityKind::Channel, &channel_id)
        .await
        .map_err(|e| api_failure(&format!("reading the channel of account \"{}\"", args.account), &e))?;
    let mut context = MessageContext::new(role.clone());
    context.account_address = text_at("/address").unwrap_or_default();
    context.channel_type = label(EntityKind::Channel, &channel).to_owned();
    context.entry_point = text_at("/chatConfigurations/entryPoint/id");
    context.conversation_id = args.conversation.clone();
    context.text = Some(args.text.clone());
    if role == SenderType::Customer {
        context.contact = Some(ContactPoint {
            contact_type: "email".into(),
            sub_type: None,
            address: args.contact.clone(),
            extra: Default::default(),
        });
    } else {
        context.participant_name = Some(format!("console ({role})"));
    }
    let body = templates.build(OutgoingKind::Text, &context).map_err(Failure::Usage)?;
    let answer = target
        .client
        .send_messages_raw(&body)
        .await
        .map_err(|e| api_failure("sending the message", &e))?;
    match answer
        .conversation_id()
        .map(str::to_owned)
        .or_else(|| args.conversation.clone())
    {
        Some(id) => out(&format!("{id}\n")),
        None => Err(Failure::Failed(
            "the hub accepted the message but named no conversation".into(),
        )),
    }
}

/// `transcript ID [-o md|json]`.
pub async fn transcript(ctx: &Ctx, args: &TranscriptArgs) -> Result<(), Failure> {
    let target = ctx.connect().await?;
    let conversation = target
        .client
        .get_conversation(&args.id)
        .await
        .map_err(|e| api_failure(&format!("reading conversation {}", args.id), &e))?;
    let mut text = match args.output {
        TranscriptFormat::Md => transcript::to_markdown(&conversation),
        TranscriptFormat::Json => transcript::to_json(&conversation),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    out(&text)
}
