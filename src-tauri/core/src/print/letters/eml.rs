//! A letter as an e-mail draft (`.eml`): To, Subject and the covering text in the recipient's
//! language, the letter (and, where asked, the itinerary) attached. Outlook opens it as a draft
//! (`X-Unsent: 1`); Thunderbird opens it as a message to edit and send when the laptop is online.

use mail_builder::headers::raw::Raw;
use mail_builder::MessageBuilder;

use super::docx::Head;
use super::Ready;
use crate::error::{Error, Result};

/// Domain of the drafts' Message-IDs: no host name leaves the laptop in a draft.
const ID_DOMAIN: &str = "delegation-desk.invalid";

pub(super) fn write(
    head: &Head<'_>,
    letter: &Ready<'_, '_>,
    attached: &[(&'static str, String, Vec<u8>)],
) -> Result<Vec<u8>> {
    let r = letter.recipient;
    let to_name = r
        .official
        .map(|row| row.full_name.clone())
        .unwrap_or_else(|| r.label.clone());
    let mut message = MessageBuilder::new()
        .to((to_name, r.email.trim().to_string()))
        .subject(letter.filled.subject.clone())
        .message_id(format!("{}@{ID_DOMAIN}", uuid::Uuid::new_v4()))
        .date(chrono::Utc::now().timestamp())
        .header("X-Unsent", Raw::new("1"))
        .text_body(letter.filled.email.replace('\n', "\r\n"));
    if !head.email.is_empty() {
        message = message.from((head.office.to_string(), head.email.to_string()));
    }
    for (mime, name, bytes) in attached {
        message = message.attachment(*mime, name.clone(), bytes.clone());
    }
    message
        .write_to_vec()
        .map_err(|e| Error::Internal(format!("writing an e-mail draft failed: {e}").into()))
}
