//! Dates and times in words, in each office language: one home for how a date reads on paper,
//! in the checks' sentences and in messages ("Tuesday 7 May 2024", "2024년 5월 7일 (화)").
//! Local times come from `Event::local`; nothing here knows a time zone.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::model::Language;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday(d: NaiveDate, lang: Language) -> &'static str {
    let i = d.weekday().num_days_from_monday() as usize;
    match lang {
        Language::Ko => ["월", "화", "수", "목", "금", "토", "일"][i],
        Language::En => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][i],
    }
}

/// "7–9 May 2024", "30 May – 2 June 2024"; "2024년 5월 7일–9일".
pub fn event_dates(start: NaiveDate, end: NaiveDate, lang: Language) -> String {
    let month = |d: NaiveDate| MONTHS[d.month0() as usize];
    match lang {
        Language::En => {
            if start == end {
                format!("{} {} {}", start.day(), month(start), start.year())
            } else if start.year() != end.year() {
                format!(
                    "{} {} {} – {} {} {}",
                    start.day(),
                    month(start),
                    start.year(),
                    end.day(),
                    month(end),
                    end.year()
                )
            } else if start.month() != end.month() {
                format!(
                    "{} {} – {} {} {}",
                    start.day(),
                    month(start),
                    end.day(),
                    month(end),
                    end.year()
                )
            } else {
                format!(
                    "{}–{} {} {}",
                    start.day(),
                    end.day(),
                    month(end),
                    end.year()
                )
            }
        }
        Language::Ko => {
            let head = format!("{}년 {}월 {}일", start.year(), start.month(), start.day());
            if start == end {
                head
            } else if start.year() != end.year() {
                format!("{head}–{}년 {}월 {}일", end.year(), end.month(), end.day())
            } else if start.month() != end.month() {
                format!("{head}–{}월 {}일", end.month(), end.day())
            } else {
                format!("{head}–{}일", end.day())
            }
        }
    }
}

/// "7 May 2024"; "2024년 5월 7일".
pub fn long_date(d: NaiveDate, lang: Language) -> String {
    event_dates(d, d, lang)
}

/// "Tuesday 7 May 2024"; "2024년 5월 7일 (화)".
pub fn day_heading(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::En => format!("{} {}", weekday(d, lang), long_date(d, lang)),
        Language::Ko => format!("{} ({})", long_date(d, lang), weekday(d, lang)),
    }
}

/// "Mon 6 May"; "5월 6일(월)".
pub fn short_date(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::En => format!(
            "{} {} {}",
            &weekday(d, lang)[..3],
            d.day(),
            &MONTHS[d.month0() as usize][..3]
        ),
        Language::Ko => format!("{}월 {}일({})", d.month(), d.day(), weekday(d, lang)),
    }
}

/// "6 May"; "5월 6일".
pub fn day_month(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::En => format!("{} {}", d.day(), &MONTHS[d.month0() as usize][..3]),
        Language::Ko => format!("{}월 {}일", d.month(), d.day()),
    }
}

/// "6 May, 7 May"; "5월 6일, 5월 7일".
pub fn day_months(days: &[NaiveDate], lang: Language) -> String {
    days.iter()
        .map(|d| day_month(*d, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "7 May 09:30"; "5월 7일 09:30": a local time in a sentence.
pub fn day_month_time(t: NaiveDateTime, lang: Language) -> String {
    format!("{} {}", day_month(t.date(), lang), t.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn event_dates_read_naturally() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let check = |a: &str, b: &str, lang, expect: &str| {
            assert_eq!(event_dates(d(a), d(b), lang), expect);
        };
        check("2024-05-07", "2024-05-09", Language::En, "7–9 May 2024");
        check(
            "2024-05-30",
            "2024-06-02",
            Language::En,
            "30 May – 2 June 2024",
        );
        check(
            "2024-12-30",
            "2025-01-02",
            Language::En,
            "30 December 2024 – 2 January 2025",
        );
        check(
            "2024-05-07",
            "2024-05-09",
            Language::Ko,
            "2024년 5월 7일–9일",
        );
        check("2024-05-07", "2024-05-07", Language::En, "7 May 2024");
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        use Language::{En, Ko};
        let (a, b) = (day("2024-05-07"), day("2024-05-09"));
        assert_eq!(event_dates(a, b, En), "7–9 May 2024");
        assert_eq!(event_dates(a, b, Ko), "2024년 5월 7일–9일");
        assert_eq!(
            event_dates(day("2024-05-30"), day("2024-06-02"), En),
            "30 May – 2 June 2024"
        );
        assert_eq!(
            event_dates(day("2024-12-30"), day("2025-01-02"), Ko),
            "2024년 12월 30일–2025년 1월 2일"
        );
        assert_eq!(long_date(a, En), "7 May 2024");
        assert_eq!(day_heading(a, En), "Tuesday 7 May 2024");
        assert_eq!(day_heading(a, Ko), "2024년 5월 7일 (화)");
        assert_eq!(short_date(a, En), "Tue 7 May");
        assert_eq!(short_date(a, Ko), "5월 7일(화)");
        assert_eq!(day_months(&[day("2024-05-06"), a], En), "6 May, 7 May");
        assert_eq!(day_months(&[day("2024-05-06"), a], Ko), "5월 6일, 5월 7일");
        let t = a.and_hms_opt(9, 30, 0).expect("time");
        assert_eq!(day_month_time(t, En), "7 May 09:30");
        assert_eq!(day_month_time(t, Ko), "5월 7일 09:30");
    }
}
