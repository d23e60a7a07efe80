//! The registration workbook the officer sends to each delegation, and the tag by which a
//! returned one is recognised.
//!
//! One workbook per delegation, in English or Korean: instructions on the first sheet, then a
//! sheet with one row per seat under headers the import recognises (protected, so the columns
//! come back as they went), the event's own hotels, categories, diets, countries and languages
//! as drop-down lists, dates as date cells checked against sensible ranges, and the
//! delegation's officials already registered, for correction. A very hidden sheet carries the
//! event's and the delegation's ids, so that a returned workbook imports into its delegation.

use chrono::{Duration, NaiveDate};
use rusqlite::Connection;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime,
    Format as CellFormat, FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook,
    Worksheet,
};

use crate::error::{Error, Result};
use crate::export;
use crate::import::form::{OWN_ARRANGEMENTS, TAG_MARK, TAG_SHEET};
use crate::import::{matching, Field};
use crate::model::*;
use crate::reference;
use crate::store::Store;
use crate::words::Text;

/// The form's columns, in order: the field (whose label the import recognises), its width.
const COLUMNS: &[(Field, f64)] = &[
    (Field::FamilyName, 18.0),
    (Field::GivenName, 20.0),
    (Field::NativeName, 24.0),
    (Field::Honorific, 10.0),
    (Field::Position, 24.0),
    (Field::Organization, 28.0),
    (Field::Category, 18.0),
    (Field::Gender, 12.0),
    (Field::Nationality, 18.0),
    (Field::BirthDate, 13.0),
    (Field::PassportNumber, 15.0),
    (Field::PassportExpiry, 13.0),
    (Field::Email, 26.0),
    (Field::Phone, 18.0),
    (Field::Dietary, 16.0),
    (Field::Accessibility, 18.0),
    (Field::InterpretationLanguage, 14.0),
    (Field::Language, 14.0),
    (Field::ArrivalDate, 13.0),
    (Field::ArrivalTime, 10.0),
    (Field::ArrivalFlight, 11.0),
    (Field::ArrivalFrom, 11.0),
    (Field::DepartureDate, 13.0),
    (Field::DepartureTime, 10.0),
    (Field::DepartureFlight, 11.0),
    (Field::DepartureTo, 11.0),
    (Field::Hotel, 26.0),
    (Field::CheckIn, 13.0),
    (Field::CheckOut, 13.0),
    (Field::Notes, 30.0),
];

/// The header the form writes for a field: its name in the form's language, the other
/// language's in brackets (which the import's header matching leaves aside).
fn header(field: Field, ko: bool) -> String {
    if ko {
        format!("{} ({})", field.label_ko(), field.label_en())
    } else {
        format!("{} ({})", field.label_en(), field.label_ko())
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Internal(Box::new(e))
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(
        d.year().clamp(1900, 9999) as u16,
        d.month() as u8,
        d.day() as u8,
    )
    .map_err(xlsx_error)
}

/// An official registered before, with the flights and stay the form shows for correction.
struct Registered {
    official: Official,
    /// The sessions whose roster they are on.
    sessions: std::collections::HashSet<String>,
    arrival: Option<Travel>,
    departure: Option<Travel>,
    stay: Option<Stay>,
}

/// A file name for a delegation's form, without `.xlsx`: "Registration - Viet Nam".
pub fn file_stem(delegation: &Delegation, language: Language) -> String {
    let word = crate::words::word(language.as_str(), "form-registration");
    let name = match language {
        Language::Ko if !delegation.name_ko.is_empty() => &delegation.name_ko,
        _ => &delegation.name_en,
    };
    crate::files::safe_file_stem(&format!("{word} - {name}"))
}

/// A registration workbook for every delegation of the event, each with its file name (none
/// the same as another).
pub fn registration_forms(
    store: &Store,
    event_id: &str,
    language: Language,
) -> Result<Vec<(String, Vec<u8>)>> {
    let delegations = store.read(|c| crate::queries::delegations(c, event_id))?;
    let stems: Vec<String> = delegations
        .iter()
        .map(|d| file_stem(&d.delegation, language))
        .collect();
    let names = crate::files::unique_file_names(&stems, "xlsx");
    names
        .into_iter()
        .zip(&delegations)
        .map(|(name, d)| Ok((name, registration_form(store, &d.delegation.id, language)?)))
        .collect()
}

/// Writes the registration workbook for one delegation of the event.
pub fn registration_form(
    store: &Store,
    delegation_id: &str,
    language: Language,
) -> Result<Vec<u8>> {
    store.read(|conn| form(conn, delegation_id, language))
}

fn form(conn: &Connection, delegation_id: &str, language: Language) -> Result<Vec<u8>> {
    let ko = language == Language::Ko;
    let say = |id: &str| crate::words::word(language.as_str(), id);
    let delegation: Delegation = Delegation::get(conn, delegation_id)?;
    let event: Event = Event::get(conn, &delegation.event_id)?;
    let hotels: Vec<Hotel> = Hotel::of_event(conn, &event.id)?;
    let all_sessions: Vec<Session> = Session::of_event(conn, &event.id)?;
    let mut registered = Vec::new();
    let mut officials: Vec<Official> =
        Official::load_where(conn, "x.delegation_id = ?", delegation_id)?;
    officials.sort_by_key(|o| {
        (
            o.category != Category::HeadOfDelegation,
            o.family_name.clone(),
        )
    });
    for official in officials {
        if official.status == OfficialStatus::Cancelled {
            continue;
        }
        let legs: Vec<Travel> = Travel::load_where(conn, "x.official_id = ?", &official.id)?;
        let stays: Vec<Stay> = Stay::load_where(conn, "x.official_id = ?", &official.id)?;
        let entries: Vec<Participant> =
            Participant::load_where(conn, "x.official_id = ?", &official.id)?;
        // The sessions they are on as the audiences make them, not only those with an entry.
        let on = all_sessions
            .iter()
            .filter(|s| {
                let entry = entries.iter().find(|p| p.session_id == s.id);
                crate::audience::on_roster(s, &official, entry.map(|p| p.membership))
            })
            .map(|s| s.id.clone())
            .collect();
        registered.push(Registered {
            sessions: on,
            arrival: legs
                .iter()
                .find(|t| t.direction == Direction::Arrival)
                .cloned(),
            departure: legs
                .iter()
                .find(|t| t.direction == Direction::Departure)
                .cloned(),
            stay: stays.into_iter().next(),
            official,
        });
    }
    let tz = event.tz();
    // Sessions a delegation chooses to attend (site visits, meals, workshops): one yes/no
    // column each. Plenaries, panels and ceremonies are for everyone.
    let mut optional: Vec<Session> = Session::of_event(conn, &event.id)?
        .into_iter()
        .filter(|s| {
            matches!(
                s.kind,
                SessionKind::SiteVisit | SessionKind::Meal | SessionKind::Workshop
            )
        })
        .collect();
    optional.sort_by_key(|s| s.starts_at);
    let session_header = |s: &Session| {
        let title = if ko && !s.title_ko.is_empty() {
            &s.title_ko
        } else {
            &s.title_en
        };
        let prefix = crate::import::SESSION_PREFIXES[usize::from(ko)];
        format!(
            "{prefix} {title} · {}",
            s.starts_at.with_timezone(&tz).date_naive()
        )
    };
    let event_name = if ko && !event.name_ko.is_empty() {
        &event.name_ko
    } else {
        &event.name_en
    };
    let delegation_name = if ko && !delegation.name_ko.is_empty() {
        &delegation.name_ko
    } else {
        &delegation.name_en
    };
    let rows = (delegation.seats.max(0) as usize)
        .max(registered.len())
        .max(if delegation.seats > 0 { 0 } else { 10 });

    let mut workbook = Workbook::new();
    let title = CellFormat::new().set_bold().set_font_size(14);
    let bold = CellFormat::new().set_bold();
    let wrap = CellFormat::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let head = CellFormat::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("DDE7F3")
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let open = CellFormat::new()
        .set_unlocked()
        .set_border(FormatBorder::Hair)
        .set_border_color("B7B7B7");
    let open_date = open.clone().set_num_format("yyyy-mm-dd");

    // Instructions first: the sheet a delegation sees when it opens the file.
    let guide = workbook.add_worksheet();
    guide
        .set_name(say("form-instructions"))
        .map_err(xlsx_error)?;
    guide.set_column_width(0, 100).map_err(xlsx_error)?;
    // Printed, each sheet is as wide as the paper.
    guide.set_print_fit_to_pages(1, 0);
    let seats_line = if delegation.seats > 0 {
        Text::new("form-seats")
            .with("seats", delegation.seats)
            .in_lang(language.as_str())
    } else {
        String::new()
    };
    let dates = format!("{} – {}", event.start_date, event.end_date);
    let lines: Vec<(String, &CellFormat)> = vec![
        (event_name.clone(), &title),
        (format!("{dates} · {}", event.city), &bold),
        (
            Text::new("form-for")
                .with("delegation", delegation_name.as_str())
                .in_lang(language.as_str()),
            &bold,
        ),
        (seats_line, &bold),
        (String::new(), &wrap),
        (say("form-how-to-fill-in-this-form"), &bold),
        (say("form-step-1"), &wrap),
        (say("form-step-2"), &wrap),
        (say("form-step-3"), &wrap),
        (say("form-step-4"), &wrap),
        (say("form-step-5"), &wrap),
    ];
    for (r, (text, format)) in lines.iter().enumerate() {
        guide
            .write_string_with_format(r as u32, 0, text, format)
            .map_err(xlsx_error)?;
    }

    // The lists the drop-downs offer, on a hidden sheet (a list written into the validation
    // itself is limited to 255 characters; the countries alone are thousands).
    let category_words: Vec<String> = Category::ALL
        .iter()
        .map(|c| export::word(c.as_str(), ko).to_string())
        .collect();
    let gender_words: Vec<String> = Gender::ALL
        .iter()
        .map(|g| export::word(g.as_str(), ko).to_string())
        .collect();
    let language_words: Vec<String> = Language::ALL
        .iter()
        .map(|l| export::word(l.as_str(), ko).to_string())
        .collect();
    let mut country_words: Vec<String> = reference::countries()
        .iter()
        .map(|c| {
            if ko {
                c.name_ko.clone()
            } else {
                c.name_en.clone()
            }
        })
        .collect();
    country_words.sort();
    let diet_words: Vec<String> = matching::DIETS
        .iter()
        .map(|(en, ko_word, _)| if ko { ko_word } else { en }.to_string())
        .collect();
    let mut hotel_words: Vec<String> = hotels
        .iter()
        .map(|h| {
            if ko && !h.name_ko.is_empty() {
                h.name_ko.clone()
            } else {
                h.name.clone()
            }
        })
        .collect();
    // The words the import recognises as lodging elsewhere, in the form's language.
    hotel_words.push(
        if ko {
            OWN_ARRANGEMENTS.1
        } else {
            OWN_ARRANGEMENTS.0
        }
        .to_string(),
    );
    let yes_no = vec![say("form-yes"), say("form-no")];
    let lists: Vec<(Field, &Vec<String>)> = vec![
        (Field::Category, &category_words),
        (Field::Gender, &gender_words),
        (Field::Nationality, &country_words),
        (Field::Dietary, &diet_words),
        (Field::Language, &language_words),
        (Field::Hotel, &hotel_words),
        (Field::Session, &yes_no),
    ];

    let sheet_name = say("form-registration");
    let sheet = workbook.add_worksheet();
    sheet.set_name(&sheet_name).map_err(xlsx_error)?;
    sheet.set_active(true);
    sheet
        .merge_range(
            0,
            0,
            0,
            7,
            &format!("{event_name} — {delegation_name}"),
            &title,
        )
        .map_err(xlsx_error)?;
    // Thirty columns do not fit one sheet of paper legibly: printed, the pages run across with
    // the names and headers repeated on each.
    sheet.set_landscape();
    sheet.set_repeat_rows(1, 1).map_err(xlsx_error)?;
    sheet.set_repeat_columns(0, 1).map_err(xlsx_error)?;
    let header_row = 1u32;
    let first = header_row + 1;
    // Drop-downs and date checks reach past the seat rows, for a delegation that adds people.
    let last = first + rows as u32 + 19;
    for (c, (field, width)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet
            .write_string_with_format(header_row, c, header(*field, ko), &head)
            .map_err(xlsx_error)?;
        let dated = is_date(*field);
        sheet
            .set_column_width(c, *width)
            .map_err(xlsx_error)?
            .set_column_format(c, if dated { &open_date } else { &open })
            .map_err(xlsx_error)?;
    }
    let first_session = COLUMNS.len() as u16;
    for (i, session) in optional.iter().enumerate() {
        let c = first_session + i as u16;
        sheet
            .write_string_with_format(header_row, c, session_header(session), &head)
            .map_err(xlsx_error)?;
        sheet
            .set_column_width(c, 16)
            .map_err(xlsx_error)?
            .set_column_format(c, &open)
            .map_err(xlsx_error)?;
    }
    sheet.set_row_height(header_row, 45).map_err(xlsx_error)?;
    // The title row stays locked and plain: only the header and seat rows have the column
    // format's unlocked cells where it matters.
    sheet
        .set_row_format(0, &CellFormat::new())
        .map_err(xlsx_error)?;
    sheet
        .set_row_format(header_row, &head)
        .map_err(xlsx_error)?;
    sheet.set_freeze_panes(first, 2).map_err(xlsx_error)?;

    for (r, person) in registered.iter().enumerate() {
        let r = first + r as u32;
        for (c, (field, _)) in COLUMNS.iter().enumerate() {
            let c = c as u16;
            match value(person, *field, ko, &hotels, tz) {
                Value::Text(text) if !text.is_empty() => {
                    sheet
                        .write_string_with_format(r, c, &text, &open)
                        .map_err(xlsx_error)?;
                }
                Value::Date(Some(d)) => {
                    sheet
                        .write_datetime_with_format(r, c, excel_date(d)?, &open_date)
                        .map_err(xlsx_error)?;
                }
                _ => {}
            }
        }
        for (i, session) in optional.iter().enumerate() {
            let word = if person.sessions.contains(&session.id) {
                yes_no[0].as_str()
            } else {
                yes_no[1].as_str()
            };
            sheet
                .write_string_with_format(r, first_session + i as u16, word, &open)
                .map_err(xlsx_error)?;
        }
    }

    // Drop-downs and date checks over every seat row.
    let lists_sheet_name = say("form-lists");
    for (field, list) in &lists {
        let (from, to) = if *field == Field::Session {
            if optional.is_empty() {
                continue;
            }
            (first_session, first_session + optional.len() as u16 - 1)
        } else {
            let Some(c) = COLUMNS.iter().position(|(f, _)| f == field) else {
                continue;
            };
            (c as u16, c as u16)
        };
        let list_column = lists.iter().position(|(f, _)| f == field).unwrap_or(0);
        let letter = crate::import::column_letter(list_column);
        let formula = format!(
            "='{lists_sheet_name}'!${letter}$2:${letter}${}",
            list.len() + 1
        );
        let mut validation = DataValidation::new()
            .allow_list_formula(Formula::new(formula))
            .set_error_title(say("form-choose-from-the-list"))
            .map_err(xlsx_error)?
            .set_error_message(say("form-choose-a-value-from-the-list"))
            .map_err(xlsx_error)?;
        if *field == Field::Dietary {
            // A diet outside the list is allowed, with a word that it is not one of them.
            validation = validation
                .set_error_style(DataValidationErrorStyle::Information)
                .set_error_message(say("form-not-in-the-list-it-will-be-kept-as-writt"))
                .map_err(xlsx_error)?;
        }
        sheet
            .add_data_validation(first, from, last, to, &validation)
            .map_err(xlsx_error)?;
    }
    let travel_from = event.start_date - Duration::days(30);
    let travel_to = event.end_date + Duration::days(30);
    let today = chrono::Utc::now().date_naive();
    for (c, (field, _)) in COLUMNS.iter().enumerate() {
        let range = match field {
            Field::BirthDate => (NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(today), today),
            Field::PassportExpiry => (
                event.start_date,
                NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or(event.end_date),
            ),
            Field::ArrivalDate | Field::DepartureDate | Field::CheckIn | Field::CheckOut => {
                (travel_from, travel_to)
            }
            _ => continue,
        };
        let validation = DataValidation::new()
            .allow_date(DataValidationRule::Between(
                excel_date(range.0)?,
                excel_date(range.1)?,
            ))
            .set_error_title(say("form-a-date-is-needed"))
            .map_err(xlsx_error)?
            .set_error_message(format!(
                "{} {} – {}",
                say("form-a-date-between"),
                range.0,
                range.1
            ))
            .map_err(xlsx_error)?;
        sheet
            .add_data_validation(first, c as u16, last, c as u16, &validation)
            .map_err(xlsx_error)?;
    }
    // The headers are locked so that the columns come back as they went; rows may be added.
    sheet.protect_with_options(&ProtectionOptions {
        insert_rows: true,
        delete_rows: true,
        format_columns: true,
        format_rows: true,
        sort: true,
        ..ProtectionOptions::default()
    });

    let list_sheet = workbook.add_worksheet();
    list_sheet.set_name(&lists_sheet_name).map_err(xlsx_error)?;
    for (c, (field, list)) in lists.iter().enumerate() {
        let c = c as u16;
        list_sheet
            .write_string_with_format(0, c, format!("list:{}", field.as_str()), &bold)
            .map_err(xlsx_error)?;
        for (r, item) in list.iter().enumerate() {
            list_sheet
                .write_string(r as u32 + 1, c, item)
                .map_err(xlsx_error)?;
        }
        list_sheet.set_column_width(c, 28).map_err(xlsx_error)?;
    }
    list_sheet.set_hidden(true);

    let tag = workbook.add_worksheet();
    tag.set_name(TAG_SHEET).map_err(xlsx_error)?;
    write_tag(
        tag,
        &[
            TAG_MARK,
            "1",
            &event.id,
            &delegation.id,
            &delegation.seats.to_string(),
        ],
    )?;
    tag.set_very_hidden(true);

    workbook.save_to_buffer().map_err(xlsx_error)
}

fn write_tag(sheet: &mut Worksheet, cells: &[&str]) -> Result<()> {
    for (r, text) in cells.iter().enumerate() {
        sheet.write_string(r as u32, 0, *text).map_err(xlsx_error)?;
    }
    Ok(())
}

fn is_date(field: Field) -> bool {
    matches!(
        field,
        Field::BirthDate
            | Field::PassportExpiry
            | Field::ArrivalDate
            | Field::DepartureDate
            | Field::CheckIn
            | Field::CheckOut
    )
}

enum Value {
    Text(String),
    Date(Option<NaiveDate>),
}

/// A registered official's value for one column of the form, as the import reads it back.
fn value(
    person: &Registered,
    field: Field,
    ko: bool,
    hotels: &[Hotel],
    tz: chrono_tz::Tz,
) -> Value {
    let o = &person.official;
    let local = |t: &Option<Travel>| {
        t.as_ref()
            .map(|t| t.scheduled_at.with_timezone(&tz).naive_local())
    };
    let text = |s: &str| Value::Text(s.to_string());
    // A flight leg's time of day, or one of its words (flight, other end).
    let time = |t: &Option<Travel>| {
        Value::Text(
            local(t)
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default(),
        )
    };
    let leg = |t: &Option<Travel>, part: fn(&Travel) -> &String| {
        Value::Text(t.as_ref().map(part).cloned().unwrap_or_default())
    };
    match field {
        Field::FamilyName => text(&o.family_name),
        Field::GivenName => text(&o.given_name),
        Field::NativeName => text(&o.native_name),
        Field::Honorific => text(&o.honorific),
        Field::Position => text(&o.position),
        Field::Organization => text(&o.organization),
        Field::Category => Value::Text(export::word(o.category.as_str(), ko)),
        Field::Gender => Value::Text(export::word(o.gender.as_str(), ko)),
        Field::Nationality => Value::Text(
            reference::country(&o.nationality)
                .map(|c| {
                    if ko {
                        c.name_ko.clone()
                    } else {
                        c.name_en.clone()
                    }
                })
                .unwrap_or_else(|| o.nationality.clone()),
        ),
        Field::BirthDate => Value::Date(o.birth_date),
        Field::PassportNumber => text(&o.passport_number),
        Field::PassportExpiry => Value::Date(o.passport_expiry),
        Field::Email => text(&o.email),
        Field::Phone => text(&o.phone),
        Field::Dietary => text(&o.dietary),
        Field::Accessibility => text(&o.accessibility),
        Field::InterpretationLanguage => text(&o.interpretation_language),
        Field::Language => Value::Text(export::word(o.language.as_str(), ko)),
        Field::ArrivalDate => Value::Date(local(&person.arrival).map(|t| t.date())),
        Field::ArrivalTime => time(&person.arrival),
        Field::ArrivalFlight => leg(&person.arrival, |t| &t.flight),
        Field::ArrivalFrom => leg(&person.arrival, |t| &t.origin),
        Field::DepartureDate => Value::Date(local(&person.departure).map(|t| t.date())),
        Field::DepartureTime => time(&person.departure),
        Field::DepartureFlight => leg(&person.departure, |t| &t.flight),
        Field::DepartureTo => leg(&person.departure, |t| &t.origin),
        Field::Hotel => Value::Text(
            person
                .stay
                .as_ref()
                .and_then(|s| hotels.iter().find(|h| h.id == s.hotel_id))
                .map(|h| {
                    if ko && !h.name_ko.is_empty() {
                        h.name_ko.clone()
                    } else {
                        h.name.clone()
                    }
                })
                .or_else(|| {
                    // Read back as lodging elsewhere.
                    o.lodges_elsewhere.then(|| {
                        if ko {
                            OWN_ARRANGEMENTS.1
                        } else {
                            OWN_ARRANGEMENTS.0
                        }
                        .to_string()
                    })
                })
                .unwrap_or_default(),
        ),
        Field::CheckIn => Value::Date(person.stay.as_ref().map(|s| s.check_in)),
        Field::CheckOut => Value::Date(person.stay.as_ref().map(|s| s.check_out)),
        Field::Notes => text(&o.notes),
        _ => Value::Text(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_by_the_import() {
        for ko in [false, true] {
            let headers: Vec<String> = COLUMNS.iter().map(|(f, _)| header(*f, ko)).collect();
            let mapping = crate::import::auto_mapping(&headers, None);
            let fields: Vec<Option<Field>> = COLUMNS.iter().map(|(f, _)| Some(*f)).collect();
            assert_eq!(mapping.columns, fields, "ko {ko}");
        }
        // What the hotel column offers for lodging elsewhere reads back as no stay.
        use crate::import::form::is_own_arrangements;
        assert!(is_own_arrangements(OWN_ARRANGEMENTS.0) && is_own_arrangements(OWN_ARRANGEMENTS.1));
        assert!(!is_own_arrangements("Orakai"));
    }
}
