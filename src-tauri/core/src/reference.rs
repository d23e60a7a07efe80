//! Reference lists shipped with the engine: ISO 3166-1 countries (generated from CLDR by
//! `xtask/scripts/gen_countries.py`) with the time zone an event there starts with (from the
//! IANA database by `xtask/scripts/gen_country_zones.py`), and common international
//! organizations.

use std::sync::OnceLock;

use serde::Serialize;

/// A country or organization with its names in the two office languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub code: String,
    pub name_en: String,
    pub name_ko: String,
    /// For a country: the IANA time zone of its capital, which a new event hosted there
    /// starts with (the officer may change it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

fn parse(tsv: &str) -> Vec<Named> {
    tsv.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            Some(Named {
                code: cols.next()?.to_string(),
                name_en: cols.next()?.to_string(),
                name_ko: cols.next()?.to_string(),
                time_zone: None,
            })
        })
        .collect()
}

/// Every ISO 3166-1 country, sorted by code.
pub fn countries() -> &'static [Named] {
    static LIST: OnceLock<Vec<Named>> = OnceLock::new();
    LIST.get_or_init(|| {
        let zones: std::collections::HashMap<&str, &str> =
            include_str!("../data/country-zones.tsv")
                .lines()
                .skip(1)
                .filter_map(|line| line.split_once('\t'))
                .collect();
        let mut list = parse(include_str!("../data/countries.tsv"));
        for c in &mut list {
            c.time_zone = zones.get(c.code.as_str()).map(|z| z.to_string());
        }
        list
    })
}

/// Common international organizations, in the order of the data file.
pub fn organizations() -> &'static [Named] {
    static LIST: OnceLock<Vec<Named>> = OnceLock::new();
    LIST.get_or_init(|| parse(include_str!("../data/organizations.tsv")))
}

/// The country with this ISO alpha-2 code (upper case).
pub fn country(code: &str) -> Option<&'static Named> {
    let list = countries();
    list.binary_search_by(|c| c.code.as_str().cmp(code))
        .ok()
        .map(|i| &list[i])
}

pub fn organization(code: &str) -> Option<&'static Named> {
    organizations().iter().find(|o| o.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_starts_events_in_a_zone_chrono_knows() {
        for c in countries() {
            if let Some(zone) = &c.time_zone {
                assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{}: {zone}", c.code);
            }
        }
        let zone = |code: &str| country(code).and_then(|c| c.time_zone.clone());
        assert_eq!(zone("KR").as_deref(), Some("Asia/Seoul"));
        assert_eq!(
            zone("RU").as_deref(),
            Some("Europe/Moscow"),
            "the capital's zone"
        );
        assert_eq!(zone("VN").as_deref(), Some("Asia/Ho_Chi_Minh"));
        let covered = countries().iter().filter(|c| c.time_zone.is_some()).count();
        assert!(covered >= 240, "{covered}");
    }

    #[test]
    fn countries_cover_iso_3166_with_korean_names() {
        let list = countries();
        assert!(list.len() >= 249, "only {} countries", list.len());
        assert!(
            list.windows(2).all(|w| w[0].code < w[1].code),
            "sorted by code"
        );
        let kr = country("KR").expect("Korea");
        assert_eq!(kr.name_ko, "대한민국");
        assert_eq!(country("VN").expect("Viet Nam").name_ko, "베트남");
        assert!(list
            .iter()
            .all(|c| c.code.len() == 2 && !c.name_ko.is_empty()));
        assert!(country("ZZ").is_none());
    }

    #[test]
    fn organizations_include_the_forum_partners() {
        for code in ["WB", "ADB", "IsDB", "GIZ", "UNDP", "OECD"] {
            let org = organization(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(!org.name_en.is_empty() && !org.name_ko.is_empty());
        }
    }
}
