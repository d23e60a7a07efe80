//! Which column of a file feeds which field: recognised from English and Korean headers,
//! changeable by the officer, and remembered per set of headers for the next file.

use std::collections::HashMap;
use std::sync::OnceLock;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::fold;
use crate::words::{Arg, Text};

macro_rules! fields {
    ($( $variant:ident = $text:literal, $group:literal, $en:literal, $ko:literal, [$($alias:literal),* $(,)?]; )*) => {
        /// A field a column can be imported into.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Field {
            $( #[serde(rename = $text)] $variant, )*
        }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $text,)* }
            }

            /// What the field feeds: `official`, `arrival`, `departure`, `stay` or `session`.
            pub fn group(self) -> &'static str {
                match self { $(Field::$variant => $group,)* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $(Field::$variant => $en,)* }
            }

            pub fn label_ko(self) -> &'static str {
                match self { $(Field::$variant => $ko,)* }
            }

            fn aliases(self) -> &'static [&'static str] {
                match self { $(Field::$variant => &[$text, $en, $ko, $($alias),*],)* }
            }
        }
    };
}

// Header words as registration forms write them. Matching ignores case, spaces and punctuation,
// so "E-mail", "e mail" and "EMAIL" are one alias.
fields! {
    Honorific = "honorific", "official", "Honorific", "호칭", ["title", "salutation", "prefix", "mr/ms", "경칭"];
    FullName = "full_name", "official", "Name (whole)", "성명", ["name", "full name", "name in passport", "passport name", "name as in passport", "participant", "participant name", "delegate", "delegate name", "이름", "영문성명", "성명(영문)", "영문 이름", "영문명", "여권상 성명", "여권 영문명"];
    FamilyName = "family_name", "official", "Family name", "성", ["surname", "last name", "family name (passport)", "영문성", "성(영문)"];
    GivenName = "given_name", "official", "Given name(s)", "이름(영문)", ["given name", "given names", "first name", "forename", "first and middle name", "영문이름"];
    NativeName = "native_name", "official", "Name in native script", "현지어 성명", ["native-script name", "native script name", "native name", "local name", "name in native language", "name (native)", "한글성명", "한글 성명", "한글이름", "국문성명", "성명(한글)", "원어명"];
    BadgeName = "badge_name", "official", "Name on badge", "명찰 이름", ["badge name", "badge", "명찰", "명찰명"];
    Position = "position", "official", "Position", "직위", ["job title", "designation", "rank", "직책", "직급", "직함"];
    Organization = "organization", "official", "Organization", "소속", ["organisation", "agency", "ministry", "institution", "department", "affiliation", "company", "기관", "소속기관", "기관명", "부처", "소속 기관"];
    Delegation = "delegation", "official", "Delegation", "대표단", ["delegation name", "소속 대표단"];
    DelegationKind = "delegation_kind", "official", "Delegation type", "대표단 유형", ["delegation kind", "country or organization", "대표단 종류"];
    Category = "category", "official", "Category", "구분", ["type", "participant type", "participant category", "role", "참가자 구분", "분류", "참가구분"];
    Gender = "gender", "official", "Gender", "성별", ["sex"];
    Email = "email", "official", "E-mail", "이메일", ["email address", "mail", "전자우편", "메일", "이메일 주소"];
    Phone = "phone", "official", "Phone", "전화번호", ["mobile", "tel", "telephone", "phone number", "mobile phone", "cell", "contact", "전화", "연락처", "휴대폰", "휴대전화", "핸드폰"];
    Nationality = "nationality", "official", "Nationality", "국적", ["country", "citizenship", "country of citizenship", "국가", "국가명", "나라"];
    BirthDate = "birth_date", "official", "Date of birth", "생년월일", ["birth date", "dob", "birthday", "date of birth (dd/mm/yyyy)", "생일"];
    PassportNumber = "passport_number", "official", "Passport number", "여권번호", ["passport no", "passport no.", "passport", "passport #", "여권", "여권 번호"];
    PassportExpiry = "passport_expiry", "official", "Passport expiry", "여권만료일", ["passport expiry date", "expiry date", "date of expiry", "passport valid until", "passport expiration", "expiration date", "여권 만료일", "여권유효기간", "만료일", "유효기간"];
    Dietary = "dietary", "official", "Dietary needs", "식이 요구", ["dietary", "dietary requirements", "dietary restrictions", "diet", "food", "meal preference", "meal", "식이", "식단", "식사", "식이제한", "음식", "식사 제한"];
    Accessibility = "accessibility", "official", "Accessibility needs", "편의 지원", ["accessibility", "special needs", "special assistance", "disability", "장애", "편의", "접근성", "장애 여부"];
    ProtocolRank = "protocol_rank", "official", "Protocol rank", "의전 직급", ["protocol rank", "rank (protocol)", "precedence rank", "의전직급", "의전 등급"];
    InterpretationLanguage = "interpretation_language", "official", "Interpretation language", "통역 언어", ["interpretation", "interpreter language", "통역", "통역언어"];
    Language = "language", "official", "Correspondence language (en/ko)", "안내 언어", ["correspondence language", "preferred language (en/ko)", "itinerary language", "일정표 언어"];
    Status = "status", "official", "Status", "상태", ["registration status", "참가 상태", "등록 상태"];
    LodgesElsewhere = "lodges_elsewhere", "official", "Lodges elsewhere (yes/no)", "별도 숙소", ["lodges elsewhere", "lodging elsewhere", "own accommodation", "별도숙소", "자체 숙박"];
    Notes = "notes", "official", "Notes", "비고", ["note", "remarks", "remark", "comments", "comment", "memo", "메모", "참고", "특이사항", "기타"];
    ArrivalDate = "arrival_date", "arrival", "Arrival date (and time)", "도착일시", ["arrival", "arrival date", "arrival date/time", "arrival datetime", "date of arrival", "arrival date and time", "도착일", "도착", "도착 일시", "입국일시", "입국일", "입국 일시"];
    ArrivalTime = "arrival_time", "arrival", "Arrival time", "도착시간", ["arrival time", "time of arrival", "eta", "도착 시간", "도착시각", "입국시간"];
    ArrivalFlight = "arrival_flight", "arrival", "Arrival flight", "도착편", ["arrival flight", "arrival flight no", "arrival flight number", "inbound flight", "flight in", "flight", "flight no", "flight number", "도착 항공편", "도착항공편", "도착편명", "입국편", "입국 항공편", "항공편", "편명"];
    ArrivalAirport = "arrival_airport", "arrival", "Arrival airport", "도착공항", ["arrival airport", "arriving at", "도착 공항", "입국공항"];
    ArrivalFrom = "arrival_from", "arrival", "Arriving from", "출발지", ["from", "origin", "departing from", "departure city", "출발 도시"];
    ArrivalPickup = "arrival_pickup", "arrival", "Airport pickup", "공항 영접", ["pickup", "pick-up", "airport pickup", "airport pick-up", "픽업", "공항픽업", "영접", "공항영접"];
    DepartureDate = "departure_date", "departure", "Departure date (and time)", "출발일시", ["departure", "departure date", "departure date/time", "departure datetime", "date of departure", "departure date and time", "출발일", "출국일시", "출국일", "출국 일시", "출발 일시"];
    DepartureTime = "departure_time", "departure", "Departure time", "출발시간", ["departure time", "time of departure", "etd", "출발 시간", "출발시각", "출국시간"];
    DepartureFlight = "departure_flight", "departure", "Departure flight", "출발편", ["departure flight", "departure flight no", "departure flight number", "outbound flight", "flight out", "return flight", "출발 항공편", "출발항공편", "출국편", "출국 항공편", "귀국편"];
    DepartureAirport = "departure_airport", "departure", "Departure airport", "출발공항", ["departure airport", "출발 공항", "출국공항"];
    DepartureTo = "departure_to", "departure", "Flying to", "도착지", ["to", "destination", "departing to", "목적지"];
    Hotel = "hotel", "stay", "Hotel", "호텔", ["hotel name", "accommodation", "lodging", "숙소", "숙박", "숙박호텔", "숙박 호텔", "호텔명"];
    CheckIn = "check_in", "stay", "Check-in", "체크인", ["check in", "check-in date", "checkin date", "입실", "입실일", "체크인 날짜"];
    CheckOut = "check_out", "stay", "Check-out", "체크아웃", ["check out", "check-out date", "checkout date", "퇴실", "퇴실일", "체크아웃 날짜"];
    RoomNumber = "room_number", "stay", "Room number", "객실 번호", ["room", "room no", "room no.", "room #", "객실", "객실번호", "호실", "방 번호"];
    // One column per session, its header naming the session ("Session: Site visit"); the
    // cells say yes or no. The only field several columns may feed.
    Session = "session", "session", "Session (attends: yes/no)", "세션 참석 (예/아니요)", [];
}

/// What a session column's header starts with, in the two office languages.
pub const SESSION_PREFIXES: [&str; 2] = ["Session:", "세션:"];

/// The session a header names, if it is a session column's: `Session: Site visit` → `Site
/// visit`.
pub fn session_in_header(header: &str) -> Option<&str> {
    let header = header.trim();
    SESSION_PREFIXES.iter().find_map(|p| {
        let head = header.get(..p.len())?;
        (head.eq_ignore_ascii_case(p))
            .then(|| header[p.len()..].trim())
            .filter(|t| !t.is_empty())
    })
}

/// A field with the labels the mapping screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldInfo {
    pub field: Field,
    /// `official`, `arrival`, `departure` or `stay`.
    pub group: &'static str,
    pub label_en: &'static str,
    pub label_ko: &'static str,
}

/// Every field a column can be mapped to, in the order the mapping screen lists them.
pub fn fields() -> Vec<FieldInfo> {
    Field::ALL
        .iter()
        .map(|&field| FieldInfo {
            field,
            group: field.group(),
            label_en: field.label_en(),
            label_ko: field.label_ko(),
        })
        .collect()
}

/// One entry per column of the table, in column order: the field it feeds, or `null` for a
/// column left out; and the cell values the officer mapped by hand (see
/// [`super::matching`]). JSON: `{"columns": ["full_name", null, "hotel", …], "values":
/// {"hotel": {"Orakai Hotel": "Orakai Insadong Suites"}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<Option<Field>>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub values: super::matching::ValueMap,
}

impl Mapping {
    /// The column feeding `field`, if any.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|f| *f == Some(field))
    }

    /// A mapping the officer sent must fit the table and feed each field from one column.
    pub fn check(&self, column_count: usize) -> Result<()> {
        if self.columns.len() != column_count {
            return Err(Error::Import {
                code: "mapping_invalid",
                text: Text::new("importerr-mapping_width")
                    .with("mapped", self.columns.len())
                    .with("count", column_count),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for field in self.columns.iter().flatten() {
            if !seen.insert(field) && *field != Field::Session {
                return Err(Error::Import {
                    code: "mapping_invalid",
                    text: Text::new("importerr-mapping_twice")
                        .with("field", Arg::both(field.label_en(), field.label_ko())),
                });
            }
        }
        if !seen.contains(&Field::FamilyName) && !seen.contains(&Field::FullName) {
            return Err(Error::Import {
                code: "mapping_invalid",
                text: Text::new("importerr-mapping_name"),
            });
        }
        Ok(())
    }
}

/// Folds a header for matching: case, accents, spaces, punctuation and the bracketed hints
/// some forms add (`Date of birth (DD/MM/YYYY)`) ignored.
pub(crate) fn header_key(text: &str) -> String {
    let text = match text.find(['(', '[']) {
        Some(at) if at > 0 => &text[..at],
        _ => text,
    };
    // Hangul is compared composed: folding decomposes it into jamo, which is fine for search
    // but makes a one-syllable header like 성 a prefix of every 성… header.
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(fold(text).as_str())
        .filter(|c| c.is_alphanumeric())
        .collect();
    composed
}

fn alias_index() -> &'static HashMap<String, Field> {
    static INDEX: OnceLock<HashMap<String, Field>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for &field in Field::ALL {
            for alias in field.aliases() {
                // The first field to claim an alias keeps it (the list above is ordered).
                map.entry(header_key(alias)).or_insert(field);
                // Aliases with a bracket also match whole, `성(영문)`.
                let whole: String =
                    unicode_normalization::UnicodeNormalization::nfc(fold(alias).as_str())
                        .filter(|c| c.is_alphanumeric())
                        .collect();
                map.entry(whole).or_insert(field);
            }
        }
        map
    })
}

/// The field a header names, if it is one the engine knows.
pub fn field_for_header(header: &str) -> Option<Field> {
    if session_in_header(header).is_some() {
        return Some(Field::Session);
    }
    let index = alias_index();
    let whole: String = unicode_normalization::UnicodeNormalization::nfc(fold(header).as_str())
        .filter(|c| c.is_alphanumeric())
        .collect();
    index
        .get(&whole)
        .or_else(|| index.get(&header_key(header)))
        .copied()
}

/// Maps columns by their headers; a mapping remembered for the same headers wins, as long as
/// it still fits the table.
pub fn auto_mapping(headers: &[String], remembered: Option<&Mapping>) -> Mapping {
    if let Some(mapping) = remembered {
        if mapping.columns.len() == headers.len() {
            return Mapping {
                columns: mapping.columns.clone(),
                values: Default::default(),
            };
        }
    }
    let mut columns: Vec<Option<Field>> = Vec::with_capacity(headers.len());
    let mut taken = std::collections::HashSet::new();
    for header in headers {
        let field = field_for_header(header).filter(|f| *f == Field::Session || taken.insert(*f));
        columns.push(field);
    }
    // "Name" beside "Surname" is the given name, not the whole name.
    if taken.contains(&Field::FamilyName) && !taken.contains(&Field::GivenName) {
        if let Some(slot) = columns.iter_mut().find(|f| **f == Some(Field::FullName)) {
            *slot = Some(Field::GivenName);
        }
    }
    Mapping {
        columns,
        values: Default::default(),
    }
}

/// The settings key under which the mapping for this set of headers is kept.
pub fn mapping_key(headers: &[String]) -> String {
    // FNV-1a over the folded headers: stable across builds, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for header in headers {
        for byte in header_key(header).bytes().chain([0x1f]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("import.mapping.{hash:016x}")
}

/// The mapping last used for a file with these headers.
pub fn remembered_mapping(conn: &Connection, headers: &[String]) -> Result<Option<Mapping>> {
    let text = crate::store::read_setting(conn, &mapping_key(headers))?;
    // A mapping saved by another version that no longer parses is simply forgotten.
    Ok(text
        .and_then(|t| serde_json::from_str::<Mapping>(&t).ok())
        .filter(|m| m.columns.len() == headers.len()))
}

/// Remembers a mapping's columns for files with these headers (its values are remembered per
/// event, `matching::remember_values`).
pub fn remember_mapping(conn: &Connection, headers: &[String], mapping: &Mapping) -> Result<()> {
    let columns = Mapping {
        columns: mapping.columns.clone(),
        values: Default::default(),
    };
    crate::store::write_setting(
        conn,
        &mapping_key(headers),
        &serde_json::to_string(&columns)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn english_and_korean_headers_map() {
        let h = headers(&[
            "No.",
            "성명",
            "국가",
            "소속",
            "직위",
            "여권번호",
            "여권 만료일",
            "도착일시",
            "도착편",
            "E-mail",
            "Date of birth (DD/MM/YYYY)",
            "Hotel",
            "Check-in",
        ]);
        let m = auto_mapping(&h, None);
        use Field::*;
        assert_eq!(
            m.columns,
            [
                None,
                Some(FullName),
                Some(Nationality),
                Some(Organization),
                Some(Position),
                Some(PassportNumber),
                Some(PassportExpiry),
                Some(ArrivalDate),
                Some(ArrivalFlight),
                Some(Email),
                Some(BirthDate),
                Some(Hotel),
                Some(CheckIn),
            ]
        );
    }

    #[test]
    fn surname_and_name_make_given_name() {
        let m = auto_mapping(&headers(&["Surname", "Name", "Country"]), None);
        assert_eq!(
            m.columns,
            [
                Some(Field::FamilyName),
                Some(Field::GivenName),
                Some(Field::Nationality)
            ]
        );
        let m = auto_mapping(&headers(&["성", "이름(영문)", "Email", "email"]), None);
        assert_eq!(
            m.columns,
            [
                Some(Field::FamilyName),
                Some(Field::GivenName),
                Some(Field::Email),
                None
            ],
            "a second column for a field is left out"
        );
    }

    #[test]
    fn remembered_mapping_wins_when_it_fits() {
        let h = headers(&["A", "B"]);
        let remembered = Mapping {
            columns: vec![Some(Field::FamilyName), Some(Field::Email)],
            values: Default::default(),
        };
        assert_eq!(auto_mapping(&h, Some(&remembered)), remembered);
        let h3 = headers(&["A", "B", "C"]);
        assert_eq!(
            auto_mapping(&h3, Some(&remembered)).columns,
            [None, None, None]
        );
        assert_eq!(mapping_key(&h), mapping_key(&headers(&[" a ", "b"])));
        assert_ne!(mapping_key(&h), mapping_key(&h3));
    }

    #[test]
    fn field_names_are_stable_wire_strings() {
        let json = serde_json::to_string(&Mapping {
            columns: vec![Some(Field::PassportNumber), None],
            values: Default::default(),
        })
        .expect("json");
        assert_eq!(json, r#"{"columns":["passport_number",null]}"#);
        assert_eq!(fields().len(), Field::ALL.len());
    }
}
