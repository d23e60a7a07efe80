//! The words: one catalogue per language (`ui/locales/en.ftl`, `ui/locales/ko.ftl`, Project
//! Fluent), the same files the window reads (`ui/fluent.js`). The engine sends a code and its
//! arguments (a [`Text`]); whoever shows it — the window, a PDF, an export, `ddesk` — finds
//! the words here. English stands in for a message Korean lacks.
//!
//! The window formats with a small reader of its own, so the catalogue keeps to what that reader
//! knows: text, `{ $arg }`, a select on an argument (plural categories or exact values), and
//! `PARTICLE($name, "을", "를")`, the Korean particle that follows a name. A test holds both
//! files to that, and to the same ids.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// The catalogues as the window asks for them (`catalogue` command) and the engine reads them.
pub const SOURCES: [(&str, &str); 2] = [
    ("en", include_str!("../../../ui/locales/en.ftl")),
    ("ko", include_str!("../../../ui/locales/ko.ftl")),
];

/// An argument of a message: text (a name), a number (plurals select on it), or words that
/// differ by language (a session's English and Korean titles, a date in words), of which each
/// language takes its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Number(i64),
    Text(String),
    Both { en: String, ko: String },
}

impl Arg {
    /// Words in each language: `Arg::both(title_en, title_ko)`.
    pub fn both(en: impl Into<String>, ko: impl Into<String>) -> Arg {
        Arg::Both {
            en: en.into(),
            ko: ko.into(),
        }
    }

    /// A name kept in English and, optionally, Korean: the Korean sentence takes the English
    /// name where there is no Korean one (a sentence with a name beats one with a hole).
    pub fn name(en: &str, ko: &str) -> Arg {
        Arg::both(en, if ko.is_empty() { en } else { ko })
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(v.clone())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Number(v)
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Arg {
        Arg::Number(v as i64)
    }
}

/// A message as the engine sends it: the catalogue id and its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    pub args: BTreeMap<String, Arg>,
}

impl Text {
    pub fn new(id: impl Into<String>) -> Text {
        Text {
            id: id.into(),
            args: BTreeMap::new(),
        }
    }

    /// Whether this is no message at all (a refusal with words of its own).
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// The message with one more argument.
    pub fn with(mut self, name: &str, value: impl Into<Arg>) -> Text {
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// The words in language `lang` (`en`, `ko`: `Language::as_str`).
    pub fn in_lang(&self, lang: &str) -> String {
        format(lang, &self.id, &self.args)
    }

    /// The English words (the command line, logs).
    pub fn en(&self) -> String {
        self.in_lang("en")
    }

    /// The Korean words.
    pub fn ko(&self) -> String {
        self.in_lang("ko")
    }
}

type Bundle = FluentBundle<FluentResource>;

/// The bundle of language `lang` (`en`, `ko`); English for any other.
fn bundle(lang: &str) -> &'static Bundle {
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| SOURCES.map(|(code, source)| make(code, source)));
    match lang {
        "ko" => &bundles[1],
        _ => &bundles[0],
    }
}

fn make(code: &str, source: &str) -> Bundle {
    // Parse errors are caught by the tests below; a resource with one still serves the rest.
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => resource,
        Err((resource, _)) => resource,
    };
    let lang: unic_langid::LanguageIdentifier = code.parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![lang]);
    // Plain text out: the isolation marks Fluent puts around arguments would land in PDFs,
    // spreadsheets and terminals as invisible characters.
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    let _ = bundle.add_function("PARTICLE", |positional, _named| {
        let text = |i: usize| match positional.get(i) {
            Some(FluentValue::String(s)) => s.to_string(),
            Some(FluentValue::Number(n)) => n.as_string().to_string(),
            _ => String::new(),
        };
        FluentValue::from(crate::text::particle(&text(0), &text(1), &text(2)))
    });
    bundle
}

/// The words of message `id` in `lang` with `args`; English when Korean lacks it, the id itself
/// when neither has it (a test keeps every id the engine sends in both catalogues).
pub fn format(lang: &str, id: &str, args: &BTreeMap<String, Arg>) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Number(n) => fluent.set(name.as_str(), *n),
            Arg::Text(t) => fluent.set(name.as_str(), t.as_str()),
            Arg::Both { en, ko } => {
                fluent.set(name.as_str(), if lang == "ko" { ko } else { en }.as_str())
            }
        }
    }
    for lang in [lang, "en"] {
        let bundle = bundle(lang);
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(&fluent), &mut errors)
                .into_owned();
        }
    }
    id.to_string()
}

/// Every id of the English catalogue, in order (the catalogues hold the same ids).
fn ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let source = SOURCES[0].1;
        let resource = match fluent_syntax::parser::parse(source) {
            Ok(resource) => resource,
            Err((resource, _)) => resource,
        };
        resource
            .body
            .iter()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    })
}

/// The words of every message whose id begins `prefix-`, by the rest of the id, in each
/// language: what a print template reads as its labels (`pdf-`, `itinerary-`). Ids of the form
/// `prefix-category-x` go into a `categories` table of their own. Made once per prefix: the
/// catalogues are part of the program.
pub fn table(prefix: &str) -> serde_json::Value {
    static TABLES: std::sync::Mutex<BTreeMap<String, serde_json::Value>> =
        std::sync::Mutex::new(BTreeMap::new());
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    tables
        .entry(prefix.to_string())
        .or_insert_with(|| make_table(prefix))
        .clone()
}

fn make_table(prefix: &str) -> serde_json::Value {
    let start = format!("{prefix}-");
    let mut out = serde_json::Map::new();
    for (lang, _) in SOURCES {
        let mut words = serde_json::Map::new();
        let mut categories = serde_json::Map::new();
        for id in ids().iter().filter(|id| id.starts_with(&start)) {
            let key = &id[start.len()..];
            let said = serde_json::Value::from(word(lang, id));
            match key.strip_prefix("category-") {
                Some(category) => categories.insert(category.to_string(), said),
                None => words.insert(key.to_string(), said),
            };
        }
        if !categories.is_empty() {
            words.insert("categories".into(), serde_json::Value::Object(categories));
        }
        out.insert(lang.to_string(), serde_json::Value::Object(words));
    }
    serde_json::Value::Object(out)
}

/// The words of a message without arguments.
pub fn word(lang: &str, id: &str) -> String {
    format(lang, id, &BTreeMap::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;

    fn ids(source: &str) -> Vec<String> {
        let resource = fluent_syntax::parser::parse(source).expect("the catalogue parses");
        resource
            .body
            .iter()
            .filter_map(|e| match e {
                ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    /// What `ui/fluent.js` reads: text, variables, string literals, PARTICLE, and selects on a
    /// variable; no terms, attributes or message references.
    fn plain(pattern: &ast::Pattern<&str>, id: &str) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                match expression {
                    ast::Expression::Inline(inline) => inline_ok(inline, id),
                    ast::Expression::Select { selector, variants } => {
                        assert!(
                            matches!(selector, ast::InlineExpression::VariableReference { .. }),
                            "{id}: a select is on an argument"
                        );
                        for v in variants {
                            plain(&v.value, id);
                        }
                    }
                }
            }
        }
    }

    fn inline_ok(inline: &ast::InlineExpression<&str>, id: &str) {
        match inline {
            ast::InlineExpression::VariableReference { .. }
            | ast::InlineExpression::StringLiteral { .. } => {}
            ast::InlineExpression::FunctionReference { id: f, arguments } => {
                assert_eq!(
                    f.name, "PARTICLE",
                    "{id}: only PARTICLE is known to the window"
                );
                for a in &arguments.positional {
                    inline_ok(a, id);
                }
            }
            other => panic!("{id}: the window cannot read {other:?}"),
        }
    }

    #[test]
    fn both_catalogues_parse_have_the_same_ids_and_keep_to_what_the_window_reads() {
        let mut all = Vec::new();
        for (code, source) in SOURCES {
            let resource = fluent_syntax::parser::parse(source)
                .unwrap_or_else(|(_, errors)| panic!("{code}.ftl: {errors:?}"));
            for entry in &resource.body {
                match entry {
                    ast::Entry::Message(m) => {
                        assert!(m.attributes.is_empty(), "{}: no attributes", m.id.name);
                        let value = m.value.as_ref().expect("every message has words");
                        plain(value, m.id.name);
                    }
                    ast::Entry::Term(t) => panic!("{code}.ftl: no terms ({})", t.id.name),
                    ast::Entry::Junk { content } => panic!("{code}.ftl: cannot read {content}"),
                    _ => {}
                }
            }
            let mut found = ids(source);
            let count = found.len();
            found.sort();
            found.dedup();
            assert_eq!(found.len(), count, "{code}.ftl names an id twice");
            all.push(found);
        }
        let missing: Vec<_> = all[0].iter().filter(|id| !all[1].contains(id)).collect();
        assert!(missing.is_empty(), "ko.ftl lacks {missing:?}");
        let extra: Vec<_> = all[1].iter().filter(|id| !all[0].contains(id)).collect();
        assert!(extra.is_empty(), "en.ftl lacks {extra:?}");
    }

    #[test]
    fn arguments_plurals_and_particles_are_filled_in() {
        let pages = |n: i64| Text::new("print-summary").with("pages", n).en();
        assert_eq!(pages(1), "1 page.");
        assert_eq!(pages(3), "3 pages.");
        let remove = |name: &str| {
            Text::new("roster-confirmRemove")
                .with("title", "Opening")
                .with("name", name)
                .ko()
        };
        assert!(
            remove("김민준").contains("김민준을 제외"),
            "{}",
            remove("김민준")
        );
        assert!(
            remove("이수아").contains("이수아를 제외"),
            "{}",
            remove("이수아")
        );
        assert!(
            remove("Smith").contains("Smith을(를) 제외"),
            "{}",
            remove("Smith")
        );
        // No isolation marks around arguments in plain text.
        assert!(!pages(2).contains('\u{2068}'));
        assert_eq!(word("ko", "no-such-message"), "no-such-message");
    }
}
