//! Cell text to typed values: the dates, times, countries, names and yes/no answers that
//! registration spreadsheets hold, in the many ways embassies and banks write them.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::reference;
use crate::text::fold;

/// Days from Excel's day zero (1899-12-30, which absorbs the 1900 leap-year bug for every
/// serial after February 1900) to a date.
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// The largest serial Excel shows as a date (31 December 9999).
const MAX_SERIAL: f64 = 2_958_465.0;

/// A date and maybe a time of day, as a cell gave it; not yet tied to a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    /// Set when the cell was read day-first although month-first would also make sense
    /// (`05/09/2024`); the preview warns so the officer can check.
    pub ambiguous: bool,
}

/// An Excel serial day number (with a fraction for the time of day).
pub fn from_serial(serial: f64) -> Option<When> {
    if !(1.0..=MAX_SERIAL).contains(&serial) || !serial.is_finite() {
        return None;
    }
    let days = serial.floor();
    let date = excel_epoch().checked_add_signed(Duration::days(days as i64))?;
    let seconds = ((serial - days) * 86_400.0).round() as u32;
    let time = match seconds {
        0 => None,
        86_400.. => Some(NaiveTime::from_hms_opt(23, 59, 59)?),
        s => NaiveTime::from_num_seconds_from_midnight_opt(s, 0),
    };
    Some(When {
        date,
        time,
        ambiguous: false,
    })
}

/// Parses the ways a date (and time) is written in the files offices receive: Excel serials,
/// ISO 8601, `2024.09.25`, `2024. 9. 25.`, `2024년 9월 25일`, `25/09/2024`, `Sep 25, 2024`,
/// `25 Sep 2024`, `25-Sep-2024`, each optionally followed by `17:35`, `5:35 PM` or `오후 5:35`.
pub fn parse_when(text: &str) -> Option<When> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') && text.contains(|c| c != '.') {
        // A bare number is an Excel serial (a date cell saved to CSV, or typed as text); eight
        // digits are a compact date, 20240925.
        if text.len() == 8 && !text.contains('.') {
            return NaiveDate::parse_from_str(text, "%Y%m%d")
                .ok()
                .map(|date| When {
                    date,
                    time: None,
                    ambiguous: false,
                });
        }
        if text.matches('.').count() <= 1 {
            return from_serial(text.parse().ok()?);
        }
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        let utc = at.naive_utc();
        // An instant with an offset: kept as the UTC wall clock; the caller treats it as UTC.
        return Some(When {
            date: utc.date(),
            time: Some(utc.time()),
            ambiguous: false,
        });
    }
    let lower = text.to_lowercase();
    let (rest, pm) = take_meridiem(&lower);
    let mut tokens: Vec<&str> = rest.split_whitespace().collect();
    // `2024-09-25T17:35` has its time after a T.
    let mut split_t = None;
    if tokens.len() == 1 {
        if let Some((d, t)) = tokens[0].split_once('t') {
            if d.len() >= 8 && t.contains(':') {
                split_t = Some((d, t));
            }
        }
    }
    let mut time_token = None;
    if let Some((d, t)) = split_t {
        tokens = vec![d];
        time_token = Some(t);
    } else if let Some(last) = tokens.last() {
        if last.contains(':') {
            time_token = tokens.pop();
        }
    }
    let time = match time_token {
        Some(t) => Some(parse_clock(t, pm)?),
        None if pm.is_some() => return None,
        None => None,
    };
    let (date, ambiguous) = parse_date_part(&tokens.join(" "))?;
    Some(When {
        date,
        time,
        ambiguous,
    })
}

/// Removes an AM/PM marker (English or Korean) and says which it was.
fn take_meridiem(text: &str) -> (String, Option<bool>) {
    for (marker, pm) in [
        ("오전", false),
        ("오후", true),
        ("a.m.", false),
        ("p.m.", true),
        ("am", false),
        ("pm", true),
    ] {
        // Only as a separate word or glued to the clock (`5:35pm`), never inside a month name.
        if let Some(at) = text.find(marker) {
            let before = text[..at].chars().last();
            let after = text[at + marker.len()..].chars().next();
            let glued_ok = before.is_none_or(|c| c.is_whitespace() || c.is_ascii_digit());
            let end_ok = after.is_none_or(|c| c.is_whitespace() || c.is_ascii_digit());
            if glued_ok && end_ok {
                let mut out = String::with_capacity(text.len());
                out.push_str(&text[..at]);
                out.push(' ');
                out.push_str(&text[at + marker.len()..]);
                return (out, Some(pm));
            }
        }
    }
    (text.to_string(), None)
}

/// `17:35`, `17:35:20`, `5:35` with a meridiem, `17:35:20.000`.
pub fn parse_clock(text: &str, pm: Option<bool>) -> Option<NaiveTime> {
    let mut parts = text.trim().split(':');
    let hour: u32 = parts.next()?.trim().parse().ok()?;
    let minute: u32 = parts.next()?.trim().parse().ok()?;
    let second: u32 = match parts.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let hour = match pm {
        Some(_) if hour == 0 || hour > 12 => return None,
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        _ => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// A time of day alone (a separate "arrival time" column), or a serial fraction.
pub fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    if let Ok(fraction) = text.parse::<f64>() {
        if (0.0..1.0).contains(&fraction) {
            let seconds = (fraction * 86_400.0).round() as u32;
            return NaiveTime::from_num_seconds_from_midnight_opt(seconds.min(86_399), 0);
        }
        // `1735` typed without a colon.
        if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
            return NaiveTime::parse_from_str(text, "%H%M").ok();
        }
        return None;
    }
    let lower = text.to_lowercase();
    let (rest, pm) = take_meridiem(&lower);
    parse_clock(rest.trim(), pm)
}

fn parse_date_part(text: &str) -> Option<(NaiveDate, bool)> {
    let text = text.trim().trim_end_matches(',');
    if text.is_empty() {
        return None;
    }
    for format in [
        "%b %d, %Y",
        "%B %d, %Y",
        "%b %d %Y",
        "%B %d %Y",
        "%d %b %Y",
        "%d %B %Y",
        "%d %b, %Y",
        "%d-%b-%Y",
        "%d-%b-%y",
        "%a, %d %b %Y",
        "%a %b %d %Y",
    ] {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return Some((date, false));
        }
    }
    // Numbers with any of the usual separators: `2024.09.25`, `2024. 9. 25.`, `2024/9/25`,
    // `2024년 9월 25일`, `25/09/2024`, `25.09.2024`.
    let normalized: String = text
        .chars()
        .map(|c| match c {
            '년' | '월' | '.' | '/' | '-' => ' ',
            '일' => ' ',
            c => c,
        })
        .collect();
    let numbers: Vec<&str> = normalized.split_whitespace().collect();
    if numbers.len() != 3
        || !numbers
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |i: usize| numbers[i].parse::<u32>().ok();
    if numbers[0].len() == 4 {
        return NaiveDate::from_ymd_opt(n(0)? as i32, n(1)?, n(2)?).map(|d| (d, false));
    }
    if numbers[2].len() == 4 {
        let (a, b, year) = (n(0)?, n(1)?, n(2)? as i32);
        // Day first, as written outside North America, unless that cannot be a date.
        if a > 12 || b <= 12 {
            let ambiguous = a <= 12 && b <= 12 && a != b;
            return NaiveDate::from_ymd_opt(year, b, a).map(|d| (d, ambiguous));
        }
        return NaiveDate::from_ymd_opt(year, a, b).map(|d| (d, false));
    }
    None
}

/// A date from a cell; a time of day in the cell is ignored (birth dates exported with 00:00).
pub fn parse_date(text: &str) -> Option<When> {
    parse_when(text)
}

/// Builds a wall-clock date-time from a date and a time of day.
pub fn at(date: NaiveDate, time: NaiveTime) -> NaiveDateTime {
    date.and_time(time)
}

/// Folds a name for matching: case, accents, spaces and punctuation all ignored.
pub fn key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Names by which people write countries, beyond the ISO list's English and Korean names.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("KR", "Korea"),
    ("KR", "Republic of Korea"),
    ("KR", "Korea, Republic of"),
    ("KR", "Korea (Republic of)"),
    ("KR", "ROK"),
    ("KR", "한국"),
    ("KR", "남한"),
    ("KP", "DPRK"),
    ("KP", "Democratic People's Republic of Korea"),
    ("VN", "Viet Nam"),
    ("VN", "Socialist Republic of Viet Nam"),
    ("VN", "월남"),
    ("LA", "Lao PDR"),
    ("LA", "Lao People's Democratic Republic"),
    ("LA", "Lao"),
    ("MM", "Myanmar"),
    ("MM", "Burma"),
    ("TL", "East Timor"),
    ("BN", "Brunei Darussalam"),
    ("CN", "People's Republic of China"),
    ("CN", "PRC"),
    ("CN", "China, People's Republic of"),
    ("US", "USA"),
    ("US", "United States of America"),
    ("US", "U.S.A."),
    ("US", "미합중국"),
    ("GB", "UK"),
    ("GB", "Great Britain"),
    ("GB", "United Kingdom of Great Britain and Northern Ireland"),
    ("RU", "Russian Federation"),
    ("IR", "Islamic Republic of Iran"),
    ("TR", "Turkey"),
    ("TR", "터키"),
    ("CZ", "Czech Republic"),
    ("KG", "Kyrgyz Republic"),
    ("CI", "Ivory Coast"),
    ("CI", "Cote d'Ivoire"),
    ("AE", "UAE"),
    ("PH", "Republic of the Philippines"),
    ("MN", "몽고"),
    ("TW", "Chinese Taipei"),
    ("LK", "Sri Lanka"),
    ("BD", "People's Republic of Bangladesh"),
    ("PK", "Islamic Republic of Pakistan"),
    ("ID", "Republic of Indonesia"),
    ("EG", "Arab Republic of Egypt"),
    ("TZ", "United Republic of Tanzania"),
    ("BO", "Plurinational State of Bolivia"),
    ("VE", "Venezuela, Bolivarian Republic of"),
    ("MD", "Republic of Moldova"),
    ("SY", "Syrian Arab Republic"),
    ("CD", "DR Congo"),
    ("CD", "Democratic Republic of the Congo"),
    ("CG", "Republic of the Congo"),
];

fn country_index() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for c in reference::countries() {
            map.insert(key(&c.name_en), c.code.as_str());
            map.insert(key(&c.name_ko), c.code.as_str());
            // "Myanmar (Burma)": also without the bracket.
            if let Some((short, _)) = c.name_en.split_once(" (") {
                map.entry(key(short)).or_insert(c.code.as_str());
            }
        }
        for (code, alias) in COUNTRY_ALIASES {
            if let Some(country) = reference::country(code) {
                map.entry(key(alias)).or_insert(country.code.as_str());
            }
        }
        map
    })
}

/// The ISO 3166-1 code for a country written as a code (`VN`, `vn`) or a name in English or
/// Korean (`Viet Nam`, `Vietnam`, `베트남`).
pub fn parse_country(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if text.len() == 2 && text.is_ascii() {
        return reference::country(&text.to_ascii_uppercase()).map(|c| c.code.as_str());
    }
    country_index().get(&key(text)).copied()
}

/// Yes/no in English or Korean, or as the marks offices put in checkbox columns.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "y" | "yes" | "true" | "1" | "o" | "✓" | "✔" | "v" | "예" | "네" | "필요" | "유"
        | "required" | "needed" => Some(true),
        "n" | "no" | "false" | "0" | "x" | "-" | "아니오" | "아니요" | "불필요" | "무"
        | "not required" | "none" => Some(false),
        _ => None,
    }
}

/// A name written whole, split into the passport's family and given names.
///
/// `FAMILY, Given` and `Given FAMILY`/`FAMILY Given` (the upper-case word is the family
/// name, as in passports) are unambiguous; otherwise the last word is taken as the family
/// name (`Jane Doe`). A name in a script without spaces between its parts (Hangul, Chinese
/// characters) starts with its family name: 김지원 → 김 / 지원.
pub fn split_name(whole: &str) -> (String, String) {
    let whole = whole.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((family, given)) = whole.split_once(',') {
        return (family.trim().to_string(), given.trim().to_string());
    }
    let words: Vec<&str> = whole.split(' ').collect();
    if words.len() == 1 {
        let word = words[0];
        let cjk = word.chars().all(is_cjk);
        let count = word.chars().count();
        if cjk && (2..=4).contains(&count) {
            let mut chars = word.chars();
            let family: String = chars.next().into_iter().collect();
            return (family, chars.collect());
        }
        return (word.to_string(), String::new());
    }
    let is_upper = |w: &&str| {
        w.chars().any(char::is_alphabetic) && w.chars().all(|c| !c.is_lowercase()) && w.len() > 1
    };
    let upper: Vec<usize> = (0..words.len()).filter(|&i| is_upper(&words[i])).collect();
    if !upper.is_empty() && upper.len() < words.len() {
        // A contiguous run of upper-case words at either end is the family name.
        let contiguous = upper.windows(2).all(|w| w[1] == w[0] + 1);
        let first = upper[0];
        let last = upper[upper.len() - 1];
        if contiguous && (first == 0 || last == words.len() - 1) {
            let family = words[first..=last].join(" ");
            let given: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < first || *i > last)
                .map(|(_, w)| *w)
                .collect();
            return (family, given.join(" "));
        }
    }
    let (family, given) = words
        .split_last()
        .map(|(f, g)| (*f, g.join(" ")))
        .unwrap_or_default();
    (family.to_string(), given)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{4E00}'..='\u{9FFF}' | '\u{3040}'..='\u{30FF}')
}

/// Whether a name is written in Latin letters (a passport name) rather than a native script.
pub fn is_latin(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| (c as u32) < 0x0250 || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

/// `date` plus whole months, clamped to the month's end (31 March + 6 months = 30 September).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months))
        .unwrap_or_else(|| date.with_day(28).unwrap_or(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn check(input: &str, date: &str, time: Option<&str>) {
        let when = parse_when(input).unwrap_or_else(|| panic!("{input:?} did not parse"));
        assert_eq!(when.date, d(date), "{input:?}");
        assert_eq!(
            when.time,
            time.map(|t| NaiveTime::parse_from_str(t, "%H:%M").expect("time")),
            "{input:?}"
        );
    }

    #[test]
    fn dates_as_offices_write_them() {
        check("2024-09-25", "2024-09-25", None);
        check("2024-09-25 17:35", "2024-09-25", Some("17:35"));
        check("2024-09-25T17:35:00", "2024-09-25", Some("17:35"));
        check("2024.09.25", "2024-09-25", None);
        check("2024. 9. 25.", "2024-09-25", None);
        check("2024/9/25 5:35 PM", "2024-09-25", Some("17:35"));
        check("2024년 9월 25일 오후 5:35", "2024-09-25", Some("17:35"));
        check("25/09/2024", "2024-09-25", None);
        check("25.09.2024 08:05", "2024-09-25", Some("08:05"));
        check("09/25/2024", "2024-09-25", None);
        check("Sep 25, 2024", "2024-09-25", None);
        check("September 25, 2024", "2024-09-25", None);
        check("25 Sep 2024", "2024-09-25", None);
        check("25-Sep-2024", "2024-09-25", None);
        check("20240925", "2024-09-25", None);
        check("45560", "2024-09-25", None);
        check("45560.7326388889", "2024-09-25", Some("17:35"));
        check("2024-09-25 12:00 am", "2024-09-25", Some("00:00"));
        assert!(parse_when("05/09/2024").expect("date").ambiguous);
        for bad in [
            "",
            "soon",
            "2024-13-01",
            "31/02/2024",
            "25:00 2024-09-25",
            "0",
            "1.2.3.4",
            "PM",
        ] {
            assert_eq!(parse_when(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn times_of_day() {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").expect("time");
        assert_eq!(parse_time_of_day("17:35"), Some(t("17:35")));
        assert_eq!(parse_time_of_day("오후 5:35"), Some(t("17:35")));
        assert_eq!(parse_time_of_day("0.7326388889"), Some(t("17:35")));
        assert_eq!(parse_time_of_day("1735"), Some(t("17:35")));
        assert_eq!(parse_time_of_day("late"), None);
    }

    #[test]
    fn countries_by_code_or_name() {
        for (input, code) in [
            ("VN", "VN"),
            ("vn", "VN"),
            ("Viet Nam", "VN"),
            ("VIETNAM", "VN"),
            ("베트남", "VN"),
            ("Lao PDR", "LA"),
            ("라오스", "LA"),
            ("Republic of Korea", "KR"),
            ("대한민국", "KR"),
            ("Myanmar", "MM"),
            ("Côte d'Ivoire", "CI"),
            (" Mongolia ", "MN"),
        ] {
            assert_eq!(parse_country(input), Some(code), "{input}");
        }
        for bad in ["", "ZZ", "Atlantis", "Asian Development Bank"] {
            assert_eq!(parse_country(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_split() {
        let check = |whole: &str, family: &str, given: &str| {
            assert_eq!(
                split_name(whole),
                (family.to_string(), given.to_string()),
                "{whole}"
            );
        };
        check("NGUYEN Van Minh", "NGUYEN", "Van Minh");
        check("Van Minh NGUYEN", "NGUYEN", "Van Minh");
        check("Nguyen, Van Minh", "Nguyen", "Van Minh");
        check("Jane  Doe", "Doe", "Jane");
        check("김지원", "김", "지원");
        check("Sokha", "Sokha", "");
        check("DE LA CRUZ Maria", "DE LA CRUZ", "Maria");
    }

    #[test]
    fn yes_and_no() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("예"), Some(true));
        assert_eq!(parse_bool("O"), Some(true));
        assert_eq!(parse_bool("아니오"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
