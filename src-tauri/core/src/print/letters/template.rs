//! The words of a letter: the officer's text with `{{placeholders}}`, checked against the
//! placeholders its kind of letter knows, and filled in for one recipient.
//!
//! A template is data, never typesetting code: it is cut into plain text and placeholders
//! here, and the filled text reaches the typesetter as strings in JSON, which typst sets as
//! text whatever characters they hold (`#set`, `]`, `$`, backslashes print as typed).
//!
//! `{{name}}` needs a value: a recipient without one gets no letter, and the batch report says
//! why. `{{name?}}` may be empty; a line it leaves blank is dropped (an address block without
//! an honorific, a certificate without a native-script name).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::LetterKind;
use crate::model::Language;
use crate::words::Text;

/// Who a placeholder's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The event, the office or the letter itself: every kind has it.
    Any,
    /// The official a visa letter or certificate is for.
    Official,
    /// The delegation an invitation or a letter of thanks is for.
    Delegation,
}

/// Every placeholder, with where its value comes from. The window lists them (with words from
/// the catalogue, `letter-ph-<name>`) for the officer to pick.
pub const PLACEHOLDERS: &[(&str, Source)] = &[
    ("event_name", Source::Any),
    ("event_dates", Source::Any),
    ("event_city", Source::Any),
    ("venue", Source::Any),
    ("host", Source::Any),
    ("office", Source::Any),
    ("signatory", Source::Any),
    ("signatory_title", Source::Any),
    ("date", Source::Any),
    ("document_number", Source::Any),
    ("honorific", Source::Official),
    ("passport_name", Source::Official),
    ("family_name", Source::Official),
    ("given_name", Source::Official),
    ("native_name", Source::Official),
    ("position", Source::Official),
    ("organization", Source::Official),
    ("delegation", Source::Any),
    ("nationality", Source::Official),
    ("birth_date", Source::Official),
    ("passport_number", Source::Official),
    ("passport_expiry", Source::Official),
    ("arrival_date", Source::Official),
    ("departure_date", Source::Official),
    ("hotel", Source::Official),
    ("sessions_attended", Source::Official),
    ("sessions_total", Source::Official),
    ("attendance", Source::Official),
    ("country", Source::Delegation),
    ("head_honorific", Source::Delegation),
    ("head_name", Source::Delegation),
    ("head_position", Source::Delegation),
    ("head_organization", Source::Delegation),
    ("liaison_name", Source::Delegation),
    ("members", Source::Delegation),
    ("seats", Source::Delegation),
];

/// The placeholders a kind of letter may use, in the list's order.
pub fn placeholders(kind: LetterKind) -> Vec<&'static str> {
    PLACEHOLDERS
        .iter()
        .filter(|(_, source)| *source == Source::Any || *source == kind.source())
        .map(|(name, _)| *name)
        .collect()
}

/// The officer's words for one kind of letter in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterTemplate {
    pub kind: LetterKind,
    pub lang: Language,
    /// The letter's subject line (a certificate's title); the e-mail's subject too.
    pub subject: String,
    /// The address block (a certificate's name block), a line each.
    pub recipient: String,
    /// Paragraphs, separated by a blank line; a single line break stays a line break.
    pub body: String,
    /// The complimentary close above the signature.
    pub closing: String,
    /// The covering e-mail's text.
    pub email: String,
}

/// The fields of a template, in the order the editor shows them.
pub const FIELDS: &[&str] = &["subject", "recipient", "body", "closing", "email"];

impl LetterTemplate {
    pub fn field(&self, name: &str) -> &str {
        match name {
            "subject" => &self.subject,
            "recipient" => &self.recipient,
            "body" => &self.body,
            "closing" => &self.closing,
            _ => &self.email,
        }
    }
}

/// A piece of a template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Slot { name: &'a str, optional: bool },
}

/// What is wrong with a template, or keeps a letter from a recipient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The template's field (`subject`, `body`…).
    pub field: &'static str,
    /// `unclosed`, `unknown`, `not_for_kind` or `missing`.
    pub code: &'static str,
    /// The placeholder as written (empty for `unclosed`).
    pub placeholder: String,
    /// The line of the field it is on, from 1.
    pub line: usize,
    pub text: Text,
}

/// Cuts a field into text and placeholders; the first `{{` without its `}}` is an error at
/// that line.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, usize> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            let consumed = text.len() - rest.len() + open;
            return Err(text[..consumed].matches('\n').count() + 1);
        };
        let inner = after[..close].trim();
        let (name, optional) = match inner.strip_suffix('?') {
            Some(name) => (name.trim(), true),
            None => (inner, false),
        };
        out.push(Piece::Slot { name, optional });
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// The line (from 1) the `index`-th piece starts on.
fn line_of(pieces: &[Piece<'_>], index: usize) -> usize {
    1 + pieces[..index]
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.matches('\n').count(),
            Piece::Slot { .. } => 0,
        })
        .sum::<usize>()
}

/// Every placeholder of the template that its kind does not know, and every unclosed `{{`.
pub fn check(template: &LetterTemplate) -> Vec<Problem> {
    let known = placeholders(template.kind);
    let mut out = Vec::new();
    for field in FIELDS {
        let text = template.field(field);
        let list = match pieces(text) {
            Ok(list) => list,
            Err(line) => {
                out.push(Problem {
                    field,
                    code: "unclosed",
                    placeholder: String::new(),
                    line,
                    text: Text::new("letter-problem-unclosed").with("line", line),
                });
                continue;
            }
        };
        for (i, piece) in list.iter().enumerate() {
            let Piece::Slot { name, .. } = piece else {
                continue;
            };
            if known.contains(name) {
                continue;
            }
            let exists = PLACEHOLDERS.iter().any(|(n, _)| n == name);
            let code = if exists { "not_for_kind" } else { "unknown" };
            let line = line_of(&list, i);
            out.push(Problem {
                field,
                code,
                placeholder: name.to_string(),
                line,
                text: Text::new(format!("letter-problem-{code}"))
                    .with("name", *name)
                    .with("line", line),
            });
        }
    }
    out
}

/// A template filled in for one recipient: plain text, ready to typeset, write or send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filled {
    pub subject: String,
    pub recipient: Vec<String>,
    /// Paragraphs; a paragraph's lines are joined by `\n`.
    pub body: Vec<String>,
    pub closing: Vec<String>,
    pub email: String,
}

/// Fills one field: its lines, each with the values put in; a line that an empty optional
/// placeholder left blank is dropped. The names of required placeholders without a value are
/// added to `missing`; `shown`, they also print as `[name]` (a preview).
fn fill_field(
    text: &str,
    values: &HashMap<&str, String>,
    missing: &mut Vec<String>,
    shown: bool,
) -> String {
    let Ok(list) = pieces(text) else {
        // `check` refuses such a template before anything is written; a preview shows it as
        // typed.
        return text.to_string();
    };
    let mut lines: Vec<(String, bool)> = vec![(String::new(), false)];
    for piece in list {
        match piece {
            Piece::Text(t) => {
                let mut parts = t.split('\n');
                if let (Some(first), Some(line)) = (parts.next(), lines.last_mut()) {
                    line.0.push_str(first);
                }
                for part in parts {
                    lines.push((part.to_string(), false));
                }
            }
            Piece::Slot { name, optional } => {
                let value = values.get(name).map(|v| v.trim()).unwrap_or("");
                if value.is_empty() {
                    if optional {
                        if let Some(l) = lines.last_mut() {
                            l.1 = true;
                        }
                    } else {
                        if !missing.iter().any(|m| m == name) {
                            missing.push(name.to_string());
                        }
                        if let (true, Some(l)) = (shown, lines.last_mut()) {
                            l.0.push_str(&format!("[{name}]"));
                        }
                    }
                }
                // A value's own line breaks (an address) stay inside its line.
                if let Some(l) = lines.last_mut() {
                    l.0.push_str(value);
                }
            }
        }
    }
    lines
        .into_iter()
        .filter(|(line, emptied)| !(*emptied && line.trim().is_empty()))
        .map(|(line, emptied)| {
            if emptied {
                // "Dear  KIM": the space an empty honorific leaves goes with it.
                squeeze_spaces(line.trim())
            } else {
                line.trim_end().to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn squeeze_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut last_space = false;
    for c in line.chars() {
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    out.replace(" ,", ",")
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::to_string)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// The template filled in with `values`, or the required placeholders that have none.
pub fn fill(
    template: &LetterTemplate,
    values: &HashMap<&str, String>,
) -> Result<Filled, Vec<String>> {
    let (filled, missing) = fill_all(template, values, false);
    if missing.is_empty() {
        Ok(filled)
    } else {
        Err(missing)
    }
}

/// The template filled in for a preview, whatever it lacks: a placeholder without a value
/// (required, unknown or of another kind) shows as `[name]`, an unclosed `{{` as typed. With
/// it, the known placeholders of the kind the recipient has no value for.
pub fn fill_for_preview(
    template: &LetterTemplate,
    values: &HashMap<&str, String>,
) -> (Filled, Vec<String>) {
    let (filled, mut missing) = fill_all(template, values, true);
    // Unknown names and names of another kind have problems of their own (`check`).
    let known = placeholders(template.kind);
    missing.retain(|m| known.contains(&m.as_str()));
    (filled, missing)
}

fn fill_all(
    template: &LetterTemplate,
    values: &HashMap<&str, String>,
    shown: bool,
) -> (Filled, Vec<String>) {
    let mut missing = Vec::new();
    let mut field = |text: &str| fill_field(text, values, &mut missing, shown);
    let filled = Filled {
        subject: field(&template.subject)
            .replace('\n', " ")
            .trim()
            .to_string(),
        recipient: lines(&field(&template.recipient)),
        body: paragraphs(&field(&template.body)),
        closing: lines(&field(&template.closing)),
        email: field(&template.email).trim().to_string(),
    };
    (filled, missing)
}

/// The words a kind of letter starts with in a language, before the officer changes them:
/// what a ministry sends.
pub fn default_template(kind: LetterKind, lang: Language) -> LetterTemplate {
    let (subject, recipient, body, closing, email) = match (kind, lang) {
        (LetterKind::Visa, Language::En) => (
            "Letter of invitation for a visa application: {{event_name}}",
            "The Consular Section\nEmbassy of the Republic of Korea",
            "The {{office}} has the honour to confirm that the official named below has been \
invited to attend the {{event_name}}, to be held in {{event_city}}, Republic of Korea, on \
{{event_dates}}.\n\n\
Full name (as in passport): {{passport_name}}\n\
Nationality: {{nationality}}\n\
Date of birth: {{birth_date}}\n\
Passport number: {{passport_number}}\n\
Position: {{position}}, {{organization}}\n\n\
During the event the host will provide the participant's accommodation, local transport \
and meals. International travel is paid by the participant's organization unless agreed \
otherwise with the host.\n\n\
We would be grateful for your kind assistance in issuing an entry visa to the participant. \
Should you need any further information, please do not hesitate to contact the \
undersigned.",
            "Sincerely yours,",
            "Dear {{honorific?}} {{passport_name}},\n\n\
Please find attached the letter of invitation for your visa application to attend the \
{{event_name}} ({{event_dates}}, {{event_city}}).\n\n\
With kind regards,\n{{office}}",
        ),
        (LetterKind::Visa, Language::Ko) => (
            "사증 발급 협조 요청 ({{event_name}})",
            "대한민국 대사관 영사과 귀중",
            "{{office}}은(는) 아래 인사를 {{event_dates}} 대한민국 {{event_city}}에서 개최되는 \
{{event_name}}에 초청하였음을 확인합니다.\n\n\
성명(여권상): {{passport_name}}\n\
국적: {{nationality}}\n\
생년월일: {{birth_date}}\n\
여권번호: {{passport_number}}\n\
직위: {{position}}, {{organization}}\n\n\
행사 기간 중 숙박, 현지 교통 및 식사는 주최 측이 제공하며, 국제 항공료는 별도 합의가 없는 한 \
참가자 소속 기관이 부담합니다.\n\n\
위 참가자의 입국 사증 발급에 협조하여 주시기 바랍니다. 추가로 필요한 사항은 아래 서명인에게 \
문의하여 주십시오.",
            "",
            "{{passport_name}} 님께,\n\n\
{{event_name}}({{event_dates}}, {{event_city}}) 참가를 위한 사증 신청용 초청장을 첨부하여 \
보내드립니다.\n\n{{office}} 드림",
        ),
        (LetterKind::Invitation, Language::En) => (
            "Invitation to the {{event_name}}",
            "{{head_honorific?}} {{head_name?}}\n{{head_position?}}\n{{head_organization?}}\n{{delegation}}",
            "On behalf of the {{host}}, I have the honour to invite a delegation of \
{{delegation}} to the {{event_name}}, to be held in {{event_city}}, Republic of Korea, on \
{{event_dates}}.\n\n\
The meeting brings together senior officials of partner countries and international \
organizations to share their experience and to strengthen our cooperation. We would be \
delighted to welcome your delegation.\n\n\
The host will provide accommodation, local transport and meals during the event for the \
invited participants. The programme and the registration form will follow shortly.\n\n\
I look forward to welcoming your delegation in {{event_city}}.",
            "Yours sincerely,",
            "Dear colleagues,\n\n\
Please find attached the letter of invitation to the {{event_name}} ({{event_dates}}, \
{{event_city}}).\n\nWith kind regards,\n{{office}}",
        ),
        (LetterKind::Invitation, Language::Ko) => (
            "{{event_name}} 초청",
            "{{head_organization?}}\n{{head_position?}} {{head_name?}} 귀하\n{{delegation}}",
            "{{host}}을(를) 대표하여 {{event_dates}} 대한민국 {{event_city}}에서 개최되는 \
{{event_name}}에 {{delegation}} 대표단을 초청합니다.\n\n\
이번 회의는 협력국과 국제기구의 고위 인사들이 경험을 나누고 협력을 강화하기 위해 마련되었습니다. \
귀 대표단의 참석을 진심으로 환영합니다.\n\n\
초청 참가자의 행사 기간 중 숙박, 현지 교통 및 식사는 주최 측이 제공하며, 상세 일정과 참가 신청서는 \
곧 보내드리겠습니다.\n\n{{event_city}}에서 뵙기를 고대합니다.",
            "",
            "안녕하십니까.\n\n{{event_name}}({{event_dates}}, {{event_city}}) 초청장을 첨부하여 \
보내드립니다.\n\n{{office}} 드림",
        ),
        (LetterKind::Certificate, Language::En) => (
            "Certificate of Participation",
            "{{passport_name}}\n{{native_name?}}",
            "{{delegation}}\n\n\
has participated in the {{event_name}}, held in {{event_city}}, Republic of Korea, on \
{{event_dates}}.",
            "",
            "Dear {{honorific?}} {{passport_name}},\n\n\
Thank you for taking part in the {{event_name}}. Please find attached your certificate of \
participation.\n\nWith kind regards,\n{{office}}",
        ),
        (LetterKind::Certificate, Language::Ko) => (
            "참가 확인서",
            "{{passport_name}}\n{{native_name?}}",
            "{{delegation}}\n\n\
위 사람은 {{event_dates}} 대한민국 {{event_city}}에서 개최된 {{event_name}}에 \
참가하였음을 확인합니다.",
            "",
            "{{passport_name}} 님께,\n\n{{event_name}}에 참가해 주셔서 감사합니다. 참가 확인서를 \
첨부하여 보내드립니다.\n\n{{office}} 드림",
        ),
        (LetterKind::Thanks, Language::En) => (
            "With thanks for your participation in the {{event_name}}",
            "{{head_honorific?}} {{head_name?}}\n{{head_position?}}\n{{head_organization?}}\n{{delegation}}",
            "On behalf of the {{host}}, I would like to thank the delegation of {{delegation}} \
for taking part in the {{event_name}}, held in {{event_city}} on {{event_dates}}.\n\n\
The contributions of your {{members}} participants enriched our discussions. We look \
forward to continuing our cooperation and to welcoming you again.",
            "Yours sincerely,",
            "Dear colleagues,\n\n\
Please find attached our letter of thanks for your participation in the {{event_name}}.\n\n\
With kind regards,\n{{office}}",
        ),
        (LetterKind::Thanks, Language::Ko) => (
            "{{event_name}} 참가에 대한 감사",
            "{{head_organization?}}\n{{head_position?}} {{head_name?}} 귀하\n{{delegation}}",
            "{{host}}을(를) 대표하여 {{event_dates}} {{event_city}}에서 개최된 {{event_name}}에 \
참가해 주신 {{delegation}} 대표단께 깊이 감사드립니다.\n\n\
귀 대표단 {{members}}명의 참여로 논의가 한층 풍성해졌습니다. 앞으로도 협력을 이어가며 \
다시 뵙기를 기대합니다.",
            "",
            "안녕하십니까.\n\n{{event_name}} 참가에 대한 감사 서한을 첨부하여 보내드립니다.\n\n\
{{office}} 드림",
        ),
    };
    LetterTemplate {
        kind,
        lang,
        subject: subject.into(),
        recipient: recipient.into(),
        body: body.into(),
        closing: closing.into(),
        email: email.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    fn template(body: &str) -> LetterTemplate {
        LetterTemplate {
            body: body.into(),
            subject: String::new(),
            recipient: String::new(),
            closing: String::new(),
            email: String::new(),
            ..default_template(LetterKind::Visa, Language::En)
        }
    }

    #[test]
    fn every_default_template_uses_only_placeholders_its_kind_knows() {
        for kind in LetterKind::ALL {
            for lang in Language::ALL {
                let t = default_template(*kind, *lang);
                assert_eq!(check(&t), vec![], "{kind:?} {lang:?}");
            }
        }
    }

    #[test]
    fn an_unknown_placeholder_and_one_of_another_kind_are_named_with_their_line() {
        let t = template("Dear {{passport_name}},\n\n{{pasport_number}}\n{{head_name}}");
        let problems = check(&t);
        let seen: Vec<(&str, &str, usize)> = problems
            .iter()
            .map(|p| (p.code, p.placeholder.as_str(), p.line))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("unknown", "pasport_number", 3),
                ("not_for_kind", "head_name", 4)
            ]
        );
    }

    #[test]
    fn an_unclosed_placeholder_is_an_error_at_its_line() {
        let problems = check(&template("One\nTwo {{passport_name\nThree"));
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].code, problems[0].line), ("unclosed", 2));
    }

    #[test]
    fn a_required_value_that_is_missing_keeps_the_letter_and_says_which() {
        let t = template("{{passport_name}} {{passport_number}} {{birth_date}}");
        let v = values(&[("passport_name", "KIM Minsu"), ("birth_date", "")]);
        assert_eq!(
            fill(&t, &v),
            Err(vec![
                "passport_number".to_string(),
                "birth_date".to_string()
            ])
        );
    }

    #[test]
    fn an_empty_optional_value_drops_its_blank_line_and_its_space() {
        let mut t = template("Dear {{honorific?}} {{passport_name}},");
        t.recipient = "{{honorific?}}\n{{passport_name}}\n{{native_name?}}".into();
        let v = values(&[("passport_name", "KIM Minsu"), ("honorific", "")]);
        let filled = fill(&t, &v).expect("filled");
        assert_eq!(filled.recipient, vec!["KIM Minsu"]);
        assert_eq!(filled.body, vec!["Dear KIM Minsu,"]);
    }

    #[test]
    fn markup_looking_text_is_kept_as_typed() {
        let text = "#set page(width: 1cm) ] $x$ \\ <script>alert(1)</script> {{passport_name}}";
        let v = values(&[("passport_name", "#strong[X]")]);
        let filled = fill(&template(text), &v).expect("filled");
        assert_eq!(
            filled.body,
            vec!["#set page(width: 1cm) ] $x$ \\ <script>alert(1)</script> #strong[X]"]
        );
    }

    #[test]
    fn a_preview_shows_what_has_no_value_and_names_only_the_kinds_own_missing_values() {
        let t = template("{{passport_name}} {{passport_number}} {{nonsense}} {{head_name}}");
        let v = values(&[("passport_name", "KIM Minsu")]);
        let (filled, missing) = fill_for_preview(&t, &v);
        assert_eq!(
            filled.body,
            vec!["KIM Minsu [passport_number] [nonsense] [head_name]"]
        );
        assert_eq!(missing, vec!["passport_number".to_string()]);
        // An unclosed placeholder leaves the field as typed and the others filled.
        let mut t = template("{{passport_name");
        t.subject = "{{passport_name}}".into();
        let (filled, _) = fill_for_preview(&t, &v);
        assert_eq!(
            (filled.subject.as_str(), filled.body),
            ("KIM Minsu", vec!["{{passport_name".to_string()])
        );
    }

    #[test]
    fn paragraphs_split_on_blank_lines_and_keep_their_line_breaks() {
        let filled = fill(&template("A\nB\n\n\nC"), &values(&[])).expect("filled");
        assert_eq!(filled.body, vec!["A\nB", "C"]);
    }
}
