//! One row of the file into records: each cell read as its field's value (dates day or month
//! first, names of the event's hotels, delegations and categories matched loosely), the
//! flights and stay it names, and the messages that say what was read how.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::mapping::{Field, Mapping};
use super::matching::{self, Found, How, MappedValues, Unmatched, ValueMatch};
use super::read::SourceRow;
use super::values::{self, key};
use super::{Message, Severity};
use crate::error::{Error, Result};
use crate::fields::Checker;
use crate::model::*;
use crate::reference;
use crate::validate::Validate;

use super::plan::*;

/// Reads one row's cells through the mapping, and the values the officer mapped by hand.
pub(super) struct Cells<'a> {
    pub(super) row: &'a SourceRow,
    pub(super) mapping: &'a Mapping,
    pub(super) mapped: &'a MappedValues,
}

impl<'a> Cells<'a> {
    /// The cell as written (trimmed; our own exports' formula guard taken off).
    pub(super) fn raw(&self, field: Field) -> Option<&'a str> {
        let column = self.mapping.column(field)?;
        let text = self.row.cells.get(column)?.trim();
        // `ddesk export` writes `'=…` for a cell a spreadsheet would run; the apostrophe is
        // ours, not the official's.
        let text = match text.strip_prefix('\'') {
            Some(rest)
                if rest.starts_with([
                    '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
                ]) =>
            {
                rest
            }
            _ => text,
        };
        (!text.is_empty()).then_some(text)
    }

    /// The cell as it is to be read: what the officer mapped it to, if they did.
    pub(super) fn get(&self, field: Field) -> Option<&'a str> {
        let text = self.raw(field)?;
        match self.mapped.get(field, text) {
            Some(to) => (!to.is_empty()).then_some(to),
            None => Some(text),
        }
    }

    /// Whether the officer mapped this cell to nothing ("Lotte" is no hotel of ours).
    pub(super) fn mapped_to_nothing(&self, field: Field) -> bool {
        self.raw(field)
            .and_then(|text| self.mapped.get(field, text))
            .is_some_and(str::is_empty)
    }
}

/// A warning that a cell was read as something it does not say exactly.
pub(super) fn read_as(
    field: Field,
    from: &str,
    to: &str,
    how: How,
    values: &mut Vec<ValueMatch>,
) -> Message {
    values.push(ValueMatch {
        field,
        from: from.to_string(),
        to: to.to_string(),
        how,
        rows: 1,
    });
    warning(field, "value_matched")
        .with("value", from)
        .with("as", to)
}

/// An error for a cell that names nothing of the event, or several things, with the
/// candidates it offers.
pub(super) fn not_found(
    field: Field,
    code: &str,
    text: &str,
    candidates: Vec<String>,
    unmatched: &mut Vec<Unmatched>,
) -> Message {
    unmatched.push(Unmatched {
        field,
        value: text.to_string(),
        candidates: candidates.clone(),
        rows: 1,
    });
    let m = error(field, code).with("value", text);
    if candidates.is_empty() {
        m
    } else {
        m.with(
            "candidates",
            candidates
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }
}

/// An error about `field`, in the catalogue's words (`importmsg-{code}`).
pub(super) fn error(field: Field, code: &str) -> Message {
    Message::said(Severity::Error, code).about(field)
}

/// A warning about `field`, in the catalogue's words (`importmsg-{code}`).
pub(super) fn warning(field: Field, code: &str) -> Message {
    Message::said(Severity::Warning, code).about(field)
}

/// A record rule's refusal of a row's value, in the rule's own words.
pub(super) fn refused(field: &str, code: &str, message: String) -> Message {
    Message::new(Severity::Error, code, message).on(field)
}

pub(super) fn quote(text: &str) -> String {
    // Cells can be 5,000 characters long; a message quotes the start.
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("\u{201c}{short}…\u{201d}")
    } else {
        format!("\u{201c}{short}\u{201d}")
    }
}

pub(super) fn parse_date_field(
    cells: &Cells<'_>,
    field: Field,
    messages: &mut Vec<Message>,
) -> Option<NaiveDate> {
    let text = cells.get(field)?;
    match values::parse_date(text) {
        Some(when) => {
            if when.ambiguous {
                messages.push(
                    warning(field, "ambiguous_date")
                        .with("value", text)
                        .with_date("date", when.date),
                );
            }
            Some(when.date)
        }
        None => {
            messages.push(error(field, "bad_date").with("value", text));
            None
        }
    }
}

pub(super) fn category(text: &str) -> Option<Category> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    Some(match composed.as_str() {
        "headofdelegation" | "hod" | "head" | "수석대표" | "대표단장" | "단장" => {
            Category::HeadOfDelegation
        }
        "delegate" | "delegates" | "member" | "participant" | "대표" | "대표단원" | "참가자"
        | "단원" => Category::Delegate,
        "speaker" | "presenter" | "panelist" | "연사" | "발표자" | "토론자" => {
            Category::Speaker
        }
        "observer" | "옵서버" | "참관" | "참관인" => Category::Observer,
        "vip" | "귀빈" => Category::Vip,
        "staff" | "secretariat" | "organizer" | "직원" | "사무국" | "운영요원" => {
            Category::Staff
        }
        "press" | "media" | "journalist" | "기자" | "언론" | "취재" => Category::Press,
        "interpreter" | "통역" | "통역사" | "통역요원" => Category::Interpreter,
        _ => return Category::parse(text.trim()),
    })
}

pub(super) fn gender(text: &str) -> Option<Gender> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    Some(match composed.as_str() {
        "f" | "female" | "woman" | "w" | "여" | "여성" | "여자" | "ms" | "mrs" => {
            Gender::Female
        }
        "m" | "male" | "man" | "남" | "남성" | "남자" | "mr" => Gender::Male,
        "other" | "x" | "기타" => Gender::Other,
        // "Not stated" is what `ddesk export` writes.
        "" | "unspecified" | "na" | "notstated" | "미상" | "미기재" => Gender::Unspecified,
        _ => return None,
    })
}

pub(super) fn status(text: &str) -> Option<OfficialStatus> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    Some(match composed.as_str() {
        "invited" | "초청" | "초청중" => OfficialStatus::Invited,
        "registered" | "등록" | "등록완료" | "신청" => OfficialStatus::Registered,
        "confirmed" | "attending" | "확정" | "참석" | "참석확정" => {
            OfficialStatus::Confirmed
        }
        "cancelled" | "canceled" | "withdrawn" | "notattending" | "취소" | "불참" => {
            OfficialStatus::Cancelled
        }
        _ => return None,
    })
}

pub(super) fn delegation_kind(text: &str) -> Option<DelegationKind> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    match composed.as_str() {
        "country" | "국가" => Some(DelegationKind::Country),
        "organization" | "organisation" | "org" | "국제기구" | "기관" => {
            Some(DelegationKind::Organization)
        }
        _ => None,
    }
}

pub(super) fn language(text: &str) -> Option<Language> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    match composed.as_str() {
        "en" | "eng" | "english" | "영어" => Some(Language::En),
        "ko" | "kor" | "korean" | "한국어" | "국문" => Some(Language::Ko),
        _ => None,
    }
}

/// A flight leg from its date, time, flight, airport and other end.
#[allow(clippy::too_many_arguments)]
pub(super) fn leg(
    ctx: &Context,
    cells: &Cells<'_>,
    direction: Direction,
    date_field: Field,
    time_field: Field,
    flight_field: Field,
    airport_field: Field,
    other_end_field: Field,
    messages: &mut Vec<Message>,
) -> Option<Travel> {
    let what = match direction {
        Direction::Arrival => "arrival",
        Direction::Departure => "departure",
    };
    let date_text = cells.get(date_field);
    let time_text = cells.get(time_field);
    let flight = cells.get(flight_field);
    if date_text.is_none() && time_text.is_none() && flight.is_none() {
        return None;
    }
    let mut when = None;
    let mut failed = false;
    if let Some(text) = date_text {
        match values::parse_when(text) {
            Some(w) => when = Some(w),
            None => {
                failed = true;
                messages.push(
                    error(date_field, "bad_date")
                        .with("value", text)
                        .with_leg(what),
                );
            }
        }
    }
    let mut time = when.and_then(|w| w.time);
    if let Some(text) = time_text {
        // A time column may hold the whole date and time.
        match values::parse_time_of_day(text) {
            Some(t) => time = Some(t),
            None => match values::parse_when(text) {
                Some(w) if w.time.is_some() => {
                    when = Some(w);
                    time = w.time;
                }
                _ => {
                    failed = true;
                    messages.push(
                        error(time_field, "bad_time")
                            .with("value", text)
                            .with_leg(what),
                    );
                }
            },
        }
    }
    if failed {
        return None;
    }
    let Some(when) = when else {
        messages.push(warning(date_field, "leg_without_date").with_leg(what));
        return None;
    };
    if when.ambiguous {
        messages.push(
            warning(date_field, "ambiguous_date")
                .variant("leg")
                .with_leg(what)
                .with_date("date", when.date),
        );
    }
    let Some(time) = time else {
        messages.push(
            warning(time_field, "leg_without_time")
                .with_leg(what)
                .with("date", when.date),
        );
        return None;
    };
    let Some(scheduled_at) = ctx.to_utc(values::at(when.date, time)) else {
        messages.push(
            error(time_field, "bad_time")
                .with("date", when.date)
                .with("time", time)
                .with("zone", &ctx.event.time_zone),
        );
        return None;
    };
    let pickup = match direction {
        Direction::Arrival => match cells.get(Field::ArrivalPickup) {
            Some(text) => values::parse_bool(text).unwrap_or_else(|| {
                messages.push(warning(Field::ArrivalPickup, "bad_yes_no").with("value", text));
                false
            }),
            None => false,
        },
        Direction::Departure => false,
    };
    Some(Travel {
        direction,
        // Upper case as a save would make it, so the preview shows what is written.
        flight: flight
            .map(|f| f.replace(' ', "").to_uppercase())
            .unwrap_or_default(),
        airport: cells.get(airport_field).unwrap_or_default().to_uppercase(),
        origin: cells
            .get(other_end_field)
            .unwrap_or_default()
            .to_uppercase(),
        scheduled_at,
        pickup,
        ..Travel::default()
    })
}

/// Turns one row into records and messages (duplicates are found afterwards).
pub(super) fn build_row(
    conn: &Connection,
    ctx: &Context,
    mapping: &Mapping,
    row: &SourceRow,
) -> Result<RowPreview> {
    let cells = Cells {
        row,
        mapping,
        mapped: &ctx.mapped,
    };
    let mut messages = Vec::new();
    let mut values = Vec::new();
    let mut unmatched = Vec::new();
    for field in mapping.values.keys() {
        if let Some(from) = cells.raw(*field) {
            if let Some(to) = ctx.mapped.get(*field, from) {
                values.push(ValueMatch {
                    field: *field,
                    from: from.to_string(),
                    to: to.to_string(),
                    how: How::Mapped,
                    rows: 1,
                });
            }
        }
    }
    let mapped_fields: Vec<Field> = values.iter().map(|v| v.field).collect();
    let mapped = |field: Field| mapped_fields.contains(&field);
    let (category_mapped, nationality_mapped) =
        (mapped(Field::Category), mapped(Field::Nationality));
    // A passport number masked by an export (`M12****78`) says nothing of the number: it is
    // read as no value, so an update keeps the number on file.
    let masked = cells
        .get(Field::PassportNumber)
        .filter(|t| t.contains('*'))
        .map(str::to_string);
    let provided: Vec<Field> = Field::ALL
        .iter()
        .copied()
        .filter(|f| cells.get(*f).is_some())
        .filter(|f| !(*f == Field::PassportNumber && masked.is_some()))
        .collect();
    let mut o = Official {
        event_id: ctx.event.id.clone(),
        ..Official::default()
    };
    let text = |f: Field| cells.get(f).unwrap_or_default().to_string();
    o.family_name = text(Field::FamilyName);
    o.given_name = text(Field::GivenName);
    o.native_name = text(Field::NativeName);
    if let Some(whole) = cells.get(Field::FullName) {
        if o.family_name.is_empty() {
            let (family, given) = values::split_name(whole);
            o.family_name = family;
            if o.given_name.is_empty() {
                o.given_name = given;
            }
        }
        if o.native_name.is_empty() && !values::is_latin(whole) {
            o.native_name = whole.to_string();
        }
    }
    o.honorific = text(Field::Honorific);
    o.badge_name = text(Field::BadgeName);
    o.position = text(Field::Position);
    o.organization = text(Field::Organization);
    o.email = text(Field::Email);
    o.phone = text(Field::Phone);
    o.passport_number = if masked.is_some() {
        String::new()
    } else {
        text(Field::PassportNumber)
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    };
    let mut diet_note = None;
    if let Some(t) = cells.get(Field::Dietary) {
        // Diets are counted for the kitchen by name: a cell that names one is written as
        // its name, a remark beside it kept in the notes; any other need is kept as written.
        if !matching::is_no_diet(t) {
            o.dietary = t.to_string();
            match matching::diets().find(t) {
                Found::Exact(diet) => o.dietary = diet.to_string(),
                Found::Loose { item, how, rest } => {
                    o.dietary = item.to_string();
                    let note = rest.unwrap_or_else(|| t.to_string());
                    diet_note = Some(format!("Dietary: {note}"));
                    messages.push(read_as(Field::Dietary, t, item, how, &mut values));
                }
                Found::Several(_) | Found::Nothing => {}
            }
        }
    }
    o.accessibility = text(Field::Accessibility);
    o.interpretation_language = text(Field::InterpretationLanguage);
    if let Some(t) = cells.get(Field::ProtocolRank) {
        // By its code or its English or Korean name, as the officials list writes it.
        let folded = crate::text::fold(t);
        match ctx.ranks.iter().find(|r| {
            [&r.code, &r.name_en, &r.name_ko]
                .iter()
                .any(|n| !n.is_empty() && crate::text::fold(n) == folded)
        }) {
            Some(r) => o.protocol_rank = r.code.clone(),
            None => messages.push(warning(Field::ProtocolRank, "unknown_rank").with("value", t)),
        }
    }
    o.notes = text(Field::Notes);
    if let Some(note) = diet_note {
        o.notes = if o.notes.is_empty() {
            note
        } else {
            format!("{}\n{note}", o.notes)
        };
    }
    if let Some(t) = cells.get(Field::Category) {
        let loose = || match category_names().find(t) {
            Found::Exact(c) => Some((*c, None)),
            Found::Loose { item, how, .. } => Some((*item, Some(how))),
            _ => None,
        };
        match category(t).map(|c| (c, None)).or_else(loose) {
            Some((c, how)) => {
                o.category = c;
                if let (Some(how), false) = (how, category_mapped) {
                    let to = crate::export::word(c.as_str(), false);
                    messages.push(read_as(Field::Category, t, &to, how, &mut values));
                }
            }
            None => messages.push(warning(Field::Category, "unknown_category").with("value", t)),
        }
    }
    if let Some(t) = cells.get(Field::Gender) {
        match gender(t) {
            Some(g) => o.gender = g,
            None => messages.push(warning(Field::Gender, "unknown_gender").with("value", t)),
        }
    }
    if let Some(t) = cells.get(Field::Status) {
        match status(t) {
            Some(s) => o.status = s,
            None => messages.push(warning(Field::Status, "unknown_status").with("value", t)),
        }
    }
    if let Some(t) = cells.get(Field::LodgesElsewhere) {
        match values::parse_bool(t) {
            Some(b) => o.lodges_elsewhere = b,
            None => messages.push(
                warning(Field::LodgesElsewhere, "bad_yes_no")
                    .variant("lodges")
                    .with("value", t),
            ),
        }
    }
    // A hotel cell that says the official lodges elsewhere ("Own arrangements" in our forms,
    // or a hotel the officer mapped to none of the event's) says so of the official too.
    if cells.mapped_to_nothing(Field::Hotel)
        || cells
            .get(Field::Hotel)
            .is_some_and(super::form::is_own_arrangements)
    {
        o.lodges_elsewhere = true;
    }
    if let Some(t) = cells.get(Field::Language) {
        match language(t) {
            Some(l) => o.language = l,
            None => messages.push(warning(Field::Language, "unknown_language").with("value", t)),
        }
    }
    if let Some(t) = cells.get(Field::Nationality) {
        match values::parse_country(t) {
            Some(code) => o.nationality = code.to_string(),
            None => {
                let found = country_names().find(t);
                match found {
                    Found::Loose { item, how, .. } if !nationality_mapped => {
                        o.nationality = item.to_string();
                        let to = reference::country(item)
                            .map(|c| c.name_en.as_str())
                            .unwrap_or(item);
                        messages.push(read_as(Field::Nationality, t, to, how, &mut values));
                    }
                    Found::Exact(code) | Found::Loose { item: code, .. } => {
                        o.nationality = code.to_string()
                    }
                    _ => messages.push(not_found(
                        Field::Nationality,
                        "unknown_country",
                        t,
                        match found {
                            Found::Several(_) => candidates(country_names(), &found),
                            _ => Vec::new(),
                        },
                        &mut unmatched,
                    )),
                }
            }
        }
    }
    o.birth_date = parse_date_field(&cells, Field::BirthDate, &mut messages);
    o.passport_expiry = parse_date_field(&cells, Field::PassportExpiry, &mut messages);

    let delegation = match cells.get(Field::Delegation) {
        Some(t) => match ctx.delegation(t) {
            Ok((d, how)) => {
                if let (Some(how), false) = (how, mapped(Field::Delegation)) {
                    let to = d.name_en.clone();
                    messages.push(read_as(Field::Delegation, t, &to, how, &mut values));
                }
                Some(d)
            }
            // The file says the delegation is an organization (our own officials list does):
            // one the event does not have yet is created under that name.
            Err(_)
                if cells.get(Field::DelegationKind).and_then(delegation_kind)
                    == Some(DelegationKind::Organization) =>
            {
                Some(DelegationChoice {
                    id: None,
                    kind: DelegationKind::Organization,
                    country_code: None,
                    org_code: None,
                    name_en: t.to_string(),
                    name_ko: if values::is_latin(t) {
                        String::new()
                    } else {
                        t.to_string()
                    },
                })
            }
            Err(offer) => {
                messages.push(not_found(
                    Field::Delegation,
                    "unknown_delegation",
                    t,
                    offer,
                    &mut unmatched,
                ));
                None
            }
        },
        // A returned registration form's rows join the delegation it was written for.
        None if ctx.form_delegation.is_some() => ctx.form_delegation.as_ref().map(choice_of),
        // Without a delegation column, officials join their country's delegation; the host
        // country's people (organizers, local speakers) are not a delegation of their own.
        None if !o.nationality.is_empty() && o.nationality != ctx.event.host_country => {
            ctx.delegation(&o.nationality).ok().map(|(d, _)| d)
        }
        None => None,
    };
    o.delegation_id = delegation.as_ref().and_then(|d| d.id.clone());

    let arrival = leg(
        ctx,
        &cells,
        Direction::Arrival,
        Field::ArrivalDate,
        Field::ArrivalTime,
        Field::ArrivalFlight,
        Field::ArrivalAirport,
        Field::ArrivalFrom,
        &mut messages,
    );
    let departure = leg(
        ctx,
        &cells,
        Direction::Departure,
        Field::DepartureDate,
        Field::DepartureTime,
        Field::DepartureFlight,
        Field::DepartureAirport,
        Field::DepartureTo,
        &mut messages,
    );
    let (stay, hotel_name) = stay(
        ctx,
        &cells,
        (arrival.as_ref(), departure.as_ref()),
        &mut messages,
        &mut values,
        &mut unmatched,
    );

    // The engine's own rules, as a save would run them.
    let mut checker = Checker::default();
    o.check_fields(&mut checker);
    o.validate(conn, &mut checker)?;
    if let Err(Error::Validation(errors)) = checker.finish() {
        for e in errors {
            // A missing family name from a whole-name column is about that column.
            let field = if e.field == "family_name" && mapping.column(Field::FamilyName).is_none() {
                Field::FullName.as_str().to_string()
            } else {
                e.field.clone()
            };
            messages.push(refused(&field, e.code, e.message));
        }
    }
    for (leg, field) in [
        (&arrival, Field::ArrivalFlight),
        (&departure, Field::DepartureFlight),
    ] {
        if let Some(leg) = leg {
            let mut leg = leg.clone();
            let mut checker = Checker::default();
            leg.check_fields(&mut checker);
            if let Err(Error::Validation(errors)) = checker.finish() {
                for e in errors {
                    messages.push(refused(field.as_str(), e.code, e.message));
                }
            }
        }
    }
    if let Some(stay) = &stay {
        let mut stay = stay.clone();
        let mut checker = Checker::default();
        stay.check_fields(&mut checker);
        if let Err(Error::Validation(errors)) = checker.finish() {
            for e in errors {
                messages.push(refused(Field::RoomNumber.as_str(), e.code, e.message));
            }
        }
    }

    // Warnings: things worth a look that do not block the row.
    if let Some(expiry) = o.passport_expiry {
        let end = ctx.event.end_date;
        if expiry > end && expiry < values::add_months(end, 6) {
            messages.push(
                warning(Field::PassportExpiry, "passport_expires_soon")
                    .with("date", expiry)
                    .with("end", end),
            );
        }
    }
    if o.email.is_empty() {
        messages.push(warning(Field::Email, "no_email"));
    }
    if let Some(masked) = &masked {
        messages
            .push(warning(Field::PassportNumber, "passport_masked").with("value", masked.as_str()));
    }
    let sessions = attendance(ctx, row, &mut messages);
    messages.sort_by_key(|m| m.severity);
    let status = if messages.iter().any(|m| m.severity == Severity::Error) {
        RowStatus::Error
    } else {
        RowStatus::New
    };
    Ok(RowPreview {
        row: row.row,
        status,
        official: o,
        delegation,
        arrival,
        departure,
        stay,
        hotel_name,
        messages,
        duplicate_of: None,
        duplicate_in_file: None,
        changes: Vec::new(),
        sessions,
        values,
        unmatched,
        provided,
    })
}

pub(super) fn stay(
    ctx: &Context,
    cells: &Cells<'_>,
    (arrival, departure): (Option<&Travel>, Option<&Travel>),
    messages: &mut Vec<Message>,
    values: &mut Vec<ValueMatch>,
    unmatched: &mut Vec<Unmatched>,
) -> (Option<Stay>, Option<String>) {
    if cells.mapped_to_nothing(Field::Hotel)
        || cells
            .get(Field::Hotel)
            .is_some_and(super::form::is_own_arrangements)
    {
        // The officer said the hotel the row names is none of the event's: the official
        // lodges elsewhere, and the stay is theirs to arrange.
        return (None, None);
    }
    let hotel_text = cells.get(Field::Hotel);
    let any = hotel_text.is_some()
        || cells.get(Field::CheckIn).is_some()
        || cells.get(Field::CheckOut).is_some()
        || cells.get(Field::RoomNumber).is_some();
    if !any {
        return (None, None);
    }
    // Hotels are matched, never created: they carry contracts and room blocks the officer
    // sets up, and a spelling variant in a cell must not become a second hotel.
    let hotel = match hotel_text {
        Some(t) => match ctx.hotel(t) {
            Ok((h, how)) => {
                let mapped = cells
                    .raw(Field::Hotel)
                    .is_some_and(|raw| ctx.mapped.get(Field::Hotel, raw).is_some());
                if let (Some(how), false) = (how, mapped) {
                    messages.push(read_as(Field::Hotel, t, &h.name, how, values));
                }
                h
            }
            Err(offer) => {
                messages.push(not_found(
                    Field::Hotel,
                    "unknown_hotel",
                    t,
                    offer,
                    unmatched,
                ));
                return (None, None);
            }
        },
        None => match ctx.hotels.as_slice() {
            [only] => only,
            _ => {
                messages.push(error(Field::Hotel, "unknown_hotel").variant("none"));
                return (None, None);
            }
        },
    };
    let mut date = |field: Field| parse_date_field(cells, field, messages);
    let check_in = date(Field::CheckIn);
    let check_out = date(Field::CheckOut);
    let local = |t: &Travel| t.scheduled_at.with_timezone(&ctx.tz).date_naive();
    let check_in = match check_in {
        Some(d) => d,
        None if cells.get(Field::CheckIn).is_some() => return (None, None),
        None => match arrival {
            Some(a) => local(a),
            None => {
                messages.push(
                    warning(Field::CheckIn, "stay_dates_assumed")
                        .with("date", ctx.event.start_date),
                );
                ctx.event.start_date
            }
        },
    };
    let check_out = match check_out {
        Some(d) => d,
        None if cells.get(Field::CheckOut).is_some() => return (None, None),
        None => match departure {
            Some(d) => local(d),
            None => {
                let day_after = ctx.event.end_date.succ_opt().unwrap_or(ctx.event.end_date);
                messages
                    .push(warning(Field::CheckOut, "stay_dates_assumed").with("date", day_after));
                day_after
            }
        },
    };
    if check_out <= check_in {
        messages.push(error(Field::CheckOut, "end_before_start"));
        return (None, None);
    }
    (
        Some(Stay {
            hotel_id: hotel.id.clone(),
            check_in,
            check_out,
            room_number: cells.get(Field::RoomNumber).unwrap_or_default().to_string(),
            ..Stay::default()
        }),
        Some(hotel.name.clone()),
    )
}
