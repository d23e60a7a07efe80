//! Cells that name one of the event's things loosely — a hotel, a delegation, a country, a
//! category, a diet — read the way an officer would read them, and the values the officer
//! maps by hand ("Orakai Hotel" means this hotel; "Lotte" means none), remembered per event.
//!
//! A cell is first compared whole with case, spaces, punctuation and accents ignored (that is
//! an exact match: nothing to warn about). Failing that, in this order: the cell without its
//! bracketed remark (`Vegetarian (no egg)`), the initials of a name (`AIIB`), one name inside
//! the other (`Orakai Insadong`), and the distinctive words the cell shares with one name only
//! (`Orakai Hotel` → `Orakai Insadong Suites`: "hotel" says nothing, "orakai" says which). A
//! match found so is applied with a warning that says what the cell was read as; two names
//! equally likely, or none, leave the cell an error that offers the candidates.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::mapping::Field;
use super::values::key;
use crate::error::Result;
use crate::text::fold;

/// How a cell was matched when it did not name a record exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    /// By its words: a bracketed remark left aside, one name inside the other, or the words
    /// only one name has.
    Words,
    /// By the initials of a name (`AIIB`).
    Initials,
    /// As the officer mapped it.
    Mapped,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Words => "words",
            How::Initials => "initials",
            How::Mapped => "mapped",
        }
    }
}

/// A value of the file read as something it does not say exactly: shown in the preview, and
/// printed by `ddesk import` as `value FIELD FROM TO HOW`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueMatch {
    pub field: Field,
    /// The cell as written.
    pub from: String,
    /// What it was read as (empty: nothing, as mapped).
    pub to: String,
    pub how: How,
    /// How many rows say it (in the preview's list; 1 in a row's).
    pub rows: usize,
}

/// A value that names nothing of the event, or several things: the rows that say it have an
/// error until the officer maps it or corrects the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    pub field: Field,
    pub value: String,
    /// The names it might mean (empty when nothing came close).
    pub candidates: Vec<String>,
    pub rows: usize,
}

/// What a cell found in a closed set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found<'a, T> {
    /// Named exactly (case, spaces, punctuation and accents aside).
    Exact(&'a T),
    /// Read as this one; `rest` is a bracketed remark left aside (`no egg`).
    Loose {
        item: &'a T,
        how: How,
        rest: Option<String>,
    },
    /// As likely one as the other.
    Several(Vec<&'a T>),
    Nothing,
}

/// Words that say what kind of thing a name is, not which one: "Hotel" in "Orakai Hotel" must
/// not point at "Lotte Hotel".
const GENERIC: &[&str] = &[
    "the",
    "of",
    "and",
    "for",
    "de",
    "du",
    "la",
    "le",
    "des",
    "del",
    "hotel",
    "hotels",
    "suite",
    "suites",
    "residence",
    "resort",
    "inn",
    "bank",
    "group",
    "international",
    "organization",
    "organisation",
    "ministry",
    "republic",
    "state",
    "states",
    "no",
    "only",
    "호텔",
    "공화국",
];

fn generic() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| GENERIC.iter().map(|w| fold(w)).collect())
}

/// The folded words of a text that say which thing it is.
fn words(text: &str) -> Vec<String> {
    let generic = generic();
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !generic.contains(*w))
        // One Latin letter says nothing; one Hangul syllable (folded to two or three jamo)
        // can be a whole word.
        .filter(|w| w.chars().count() > 1)
        .map(str::to_string)
        .collect()
}

/// `Asian Infrastructure Investment Bank` → `aiib` (every word, generic ones too: initials
/// are written that way).
fn initials(name: &str) -> Option<String> {
    let letters: String = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "of" | "the" | "and" | "for"))
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphabetic)
        .flat_map(char::to_lowercase)
        .collect();
    (letters.len() >= 2).then_some(letters)
}

/// A cell split into what it says and a bracketed remark: `Vegetarian (no egg)`.
fn without_remark(text: &str) -> Option<(&str, String)> {
    let open = text.find(['(', '['])?;
    let main = text[..open].trim();
    let rest = text[open..]
        .trim_matches(|c: char| c.is_whitespace() || "()[]".contains(c))
        .to_string();
    (!main.is_empty() && !rest.is_empty()).then_some((main, rest))
}

/// A closed set of things, each known by several names, that cells are matched against.
#[derive(Debug)]
pub struct Matcher<T> {
    items: Vec<T>,
    labels: Vec<String>,
    keys: Vec<Vec<String>>,
    exact: HashMap<String, Vec<usize>>,
    initials: HashMap<String, Vec<usize>>,
    words: Vec<HashSet<String>>,
    /// What each cell text found: a list repeats its hotels and countries row after row, and a
    /// loose match (words folded, every name scanned) costs microseconds each time.
    memo: Mutex<HashMap<String, Hit>>,
}

/// `Found` by index, to be remembered.
#[derive(Debug, Clone)]
enum Hit {
    Exact(usize),
    Loose(usize, How, Option<String>),
    Several(Vec<usize>),
    Nothing,
}

/// Cell texts a matcher remembers at most; a file of unique values past that is matched
/// afresh (and the memory stays bounded).
const MEMO_LIMIT: usize = 20_000;

impl<T> Matcher<T> {
    /// `items`: each thing, the name that says what it was read as, and every name it goes by.
    pub fn new(items: impl IntoIterator<Item = (T, String, Vec<String>)>) -> Matcher<T> {
        let mut m = Matcher {
            items: Vec::new(),
            labels: Vec::new(),
            keys: Vec::new(),
            exact: HashMap::new(),
            initials: HashMap::new(),
            words: Vec::new(),
            memo: Mutex::new(HashMap::new()),
        };
        for (i, (item, label, names)) in items.into_iter().enumerate() {
            let mut keys = Vec::new();
            let mut word_set = HashSet::new();
            for name in names.iter().filter(|n| !n.trim().is_empty()) {
                let k = key(name);
                if k.is_empty() {
                    continue;
                }
                push_unique(m.exact.entry(k.clone()).or_default(), i);
                if let Some(letters) = initials(name) {
                    push_unique(m.initials.entry(letters).or_default(), i);
                }
                word_set.extend(words(name));
                keys.push(k);
            }
            m.items.push(item);
            m.labels.push(label);
            m.keys.push(keys);
            m.words.push(word_set);
        }
        m
    }

    pub fn label(&self, item: &T) -> &str
    where
        T: PartialEq,
    {
        self.items
            .iter()
            .position(|i| i == item)
            .map(|i| self.labels[i].as_str())
            .unwrap_or("")
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The item a cell names, loosely if it must be.
    pub fn find(&self, text: &str) -> Found<'_, T> {
        let remembered = self.memo.lock().ok().and_then(|m| m.get(text).cloned());
        let hit = match remembered {
            Some(hit) => hit,
            None => {
                let hit = self.hit(text);
                if let Ok(mut memo) = self.memo.lock() {
                    if memo.len() < MEMO_LIMIT {
                        memo.insert(text.to_string(), hit.clone());
                    }
                }
                hit
            }
        };
        match hit {
            Hit::Exact(i) => Found::Exact(&self.items[i]),
            Hit::Loose(i, how, rest) => Found::Loose {
                item: &self.items[i],
                how,
                rest,
            },
            Hit::Several(list) => Found::Several(list.iter().map(|i| &self.items[*i]).collect()),
            Hit::Nothing => Found::Nothing,
        }
    }

    fn several(at: &[usize]) -> Hit {
        match at {
            [] => Hit::Nothing,
            [one] => Hit::Exact(*one),
            many => Hit::Several(many.to_vec()),
        }
    }

    fn hit(&self, text: &str) -> Hit {
        let k = key(text);
        if k.is_empty() {
            return Hit::Nothing;
        }
        if let Some(at) = self.exact.get(&k) {
            return Self::several(at);
        }
        if let Some((main, rest)) = without_remark(text) {
            match self.exact.get(&key(main)).map(Vec::as_slice) {
                Some([one]) => return Hit::Loose(*one, How::Words, Some(rest)),
                Some(many) if many.len() > 1 => return Self::several(many),
                _ => {}
            }
        }
        if k.is_ascii() && k.len() <= 8 {
            match self.initials.get(&k).map(Vec::as_slice) {
                Some([one]) => return Hit::Loose(*one, How::Initials, None),
                Some(many) if many.len() > 1 => return Self::several(many),
                _ => {}
            }
        }
        // A cell of generic words only ("Hotel") says nothing about which.
        let cell = words(text);
        if cell.is_empty() {
            return Hit::Nothing;
        }
        if k.chars().count() >= 4 {
            let inside: Vec<usize> = (0..self.items.len())
                .filter(|&i| {
                    self.keys[i]
                        .iter()
                        .any(|n| n.contains(&k) || (n.chars().count() >= 4 && k.contains(n)))
                })
                .collect();
            match inside.as_slice() {
                [one] => return Hit::Loose(*one, How::Words, None),
                [] => {}
                many => return Self::several(many),
            }
        }
        let scores: Vec<usize> = self
            .words
            .iter()
            .map(|set| {
                // A word cut short ("Dev" for "Development") counts as the word.
                cell.iter()
                    .filter(|w| {
                        set.contains(*w)
                            || (w.chars().count() >= 3 && set.iter().any(|n| n.starts_with(*w)))
                    })
                    .count()
            })
            .collect();
        let best = scores.iter().copied().max().unwrap_or(0);
        if best == 0 {
            return Hit::Nothing;
        }
        // Most of what the cell says must be said by the name: "KTV Korea Policy
        // Broadcasting" shares only "Korea" with the Korea International Cooperation Agency.
        if best * 2 < cell.len() {
            return Hit::Nothing;
        }
        let top: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] == best).collect();
        match top.as_slice() {
            [one] => Hit::Loose(*one, How::Words, None),
            many => Self::several(many),
        }
    }
}

fn push_unique(list: &mut Vec<usize>, i: usize) {
    if !list.contains(&i) {
        list.push(i);
    }
}

/// The values the officer mapped by hand, per field: the cell's text → what it means (empty:
/// nothing). JSON: `{"hotel": {"Orakai Hotel": "Orakai Insadong Suites", "Lotte": ""}}`.
pub type ValueMap = BTreeMap<Field, BTreeMap<String, String>>;

/// A value map looked up with case, spaces and punctuation ignored, as cells are matched.
#[derive(Debug, Default)]
pub struct MappedValues {
    index: HashMap<(Field, String), String>,
}

impl MappedValues {
    pub fn new(map: &ValueMap) -> MappedValues {
        let mut index = HashMap::new();
        for (field, values) in map {
            for (from, to) in values {
                index.insert((*field, key(from)), to.trim().to_string());
            }
        }
        MappedValues { index }
    }

    /// What the officer said this cell means, if they said.
    pub fn get(&self, field: Field, text: &str) -> Option<&str> {
        if self.index.is_empty() {
            return None;
        }
        self.index.get(&(field, key(text))).map(String::as_str)
    }
}

/// Parses `FIELD:FROM=TO` (`ddesk import --map`): `hotel:Orakai Hotel=Orakai Insadong Suites`;
/// `hotel:Lotte=` maps to nothing.
pub fn parse_map_arg(text: &str) -> Option<(Field, String, String)> {
    let (field, rest) = text.split_once(':')?;
    let field = Field::ALL
        .iter()
        .copied()
        .find(|f| f.as_str() == field.trim())?;
    let (from, to) = rest.split_once('=')?;
    (!from.trim().is_empty()).then(|| (field, from.trim().to_string(), to.trim().to_string()))
}

fn values_key(event_id: &str) -> String {
    format!("import.values.{event_id}")
}

/// The values mapped by hand in earlier imports into this event.
pub fn remembered_values(conn: &Connection, event_id: &str) -> Result<ValueMap> {
    let text = crate::store::read_setting(conn, &values_key(event_id))?;
    // A map saved by another version that no longer parses is simply forgotten.
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Adds this import's mapped values to those remembered for the event (a value mapped again
/// takes its new meaning).
pub fn remember_values(conn: &Connection, event_id: &str, values: &ValueMap) -> Result<()> {
    if values.values().all(BTreeMap::is_empty) {
        return Ok(());
    }
    let mut all = remembered_values(conn, event_id)?;
    for (field, map) in values {
        let known = all.entry(*field).or_default();
        for (from, to) in map {
            known.retain(|k, _| key(k) != key(from));
            known.insert(from.clone(), to.clone());
        }
    }
    crate::store::write_setting(conn, &values_key(event_id), &serde_json::to_string(&all)?)
}

/// Diets as registration forms offer them, English and Korean; a cell that names one is
/// written as its English name, the way badges and the kitchen's list count them.
pub const DIETS: &[(&str, &str, &[&str])] = &[
    (
        "Vegetarian",
        "채식",
        &["veg", "veggie", "채식주의", "vegetarian meal"],
    ),
    ("Vegan", "비건", &["strict vegetarian", "완전 채식"]),
    ("Halal", "할랄", &["muslim", "muslim meal", "halal food"]),
    ("Kosher", "코셔", &[]),
    (
        "No pork",
        "돼지고기 제외",
        &["pork free", "without pork", "돼지고기 안 먹음"],
    ),
    (
        "No beef",
        "소고기 제외",
        &["beef free", "without beef", "소고기 안 먹음"],
    ),
    (
        "Gluten-free",
        "글루텐 프리",
        &["gluten free", "coeliac", "celiac"],
    ),
    (
        "Lactose-free",
        "유당 제외",
        &["lactose intolerant", "dairy free", "no dairy"],
    ),
    (
        "Seafood allergy",
        "해산물 알레르기",
        &["shellfish allergy", "no seafood"],
    ),
    (
        "Nut allergy",
        "견과류 알레르기",
        &["peanut allergy", "no nuts"],
    ),
    ("Diabetic", "당뇨식", &["diabetes", "low sugar"]),
];

/// Cells that say the official has no dietary need.
pub fn is_no_diet(text: &str) -> bool {
    // Folding decomposes Hangul into jamo: the key is composed again to compare.
    let composed: String =
        unicode_normalization::UnicodeNormalization::nfc(key(text).as_str()).collect();
    text.trim() == "-"
        || matches!(
            composed.as_str(),
            "none"
                | "na"
                | "nil"
                | "no"
                | "normal"
                | "regular"
                | "nothing"
                | "없음"
                | "해당없음"
                | "무"
        )
}

/// The diets as a matcher: item and label are the English name.
pub fn diets() -> &'static Matcher<&'static str> {
    static MATCHER: OnceLock<Matcher<&'static str>> = OnceLock::new();
    MATCHER.get_or_init(|| {
        Matcher::new(DIETS.iter().map(|(en, ko, aliases)| {
            let mut names = vec![en.to_string(), ko.to_string()];
            names.extend(aliases.iter().map(|a| a.to_string()));
            (*en, en.to_string(), names)
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hotels(names: &[&str]) -> Matcher<String> {
        Matcher::new(
            names
                .iter()
                .map(|n| (n.to_string(), n.to_string(), vec![n.to_string()])),
        )
    }

    #[test]
    fn distinctive_words_pick_the_one_hotel() {
        let m = hotels(&["Orakai Insadong Suites", "Lotte Hotel Seoul"]);
        match m.find("Orakai Hotel") {
            Found::Loose { item, how, .. } => {
                assert_eq!(item, "Orakai Insadong Suites");
                assert_eq!(how, How::Words);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            m.find("orakai insadong suites"),
            Found::Exact(&"Orakai Insadong Suites".to_string())
        );
        assert_eq!(m.find("Shilla"), Found::Nothing);
        assert!(matches!(
            m.find("Lotte Htl"),
            Found::Loose { item, .. } if item == "Lotte Hotel Seoul"
        ));
        // "Hotel" alone says nothing about which.
        assert_eq!(m.find("Hotel"), Found::Nothing);
    }

    #[test]
    fn two_candidates_stay_undecided() {
        let m = hotels(&["Orakai Insadong Suites", "Orakai Myeongdong"]);
        match m.find("Orakai Hotel") {
            Found::Several(list) => assert_eq!(list.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn initials_and_remarks() {
        let m = hotels(&["Asian Infrastructure Investment Bank", "World Bank"]);
        assert!(matches!(
            m.find("AIIB"),
            Found::Loose {
                how: How::Initials,
                ..
            }
        ));
        match diets().find("Vegetarian (no egg)") {
            Found::Loose { item, rest, .. } => {
                assert_eq!(*item, "Vegetarian");
                assert_eq!(rest.as_deref(), Some("no egg"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(diets().find("할랄"), Found::Exact(&"Halal"));
        assert!(is_no_diet("N/A") && is_no_diet("없음") && !is_no_diet("Halal"));
    }

    #[test]
    fn map_arguments_parse() {
        assert_eq!(
            parse_map_arg("hotel:Orakai Hotel=Orakai Insadong Suites"),
            Some((
                Field::Hotel,
                "Orakai Hotel".into(),
                "Orakai Insadong Suites".into()
            ))
        );
        assert_eq!(
            parse_map_arg("hotel:Lotte="),
            Some((Field::Hotel, "Lotte".into(), String::new()))
        );
        assert_eq!(parse_map_arg("nonsense:a=b"), None);
        assert_eq!(parse_map_arg("hotel:=b"), None);
        let mapped = MappedValues::new(&ValueMap::from([(
            Field::Hotel,
            BTreeMap::from([("Orakai Hotel".to_string(), "X".to_string())]),
        )]));
        assert_eq!(mapped.get(Field::Hotel, "orakai  hotel"), Some("X"));
        assert_eq!(mapped.get(Field::Delegation, "orakai hotel"), None);
    }
}
