//! Text folding for search: the same folding is applied to what is stored and what is typed,
//! so "nguyen" finds "Nguyễn" and "KIM" finds "Kim".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-cases and strips accents. Compatibility decomposition also turns full-width Latin
/// (common in East Asian input) into ordinary letters.
pub fn fold(text: &str) -> String {
    // Most passport names are plain ASCII; they need no decomposition.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            // Vietnamese đ and the Nordic ø have no decomposition but are typed without marks.
            'đ' => 'd',
            'ø' => 'o',
            'ł' => 'l',
            other => other,
        })
        .collect()
}

/// The Korean particle that follows `word`: `closed` after a syllable with a final consonant
/// (받침), `open` after a vowel; (으)로 also takes 로 after ㄹ. Both, as 을(를), when the word
/// does not end in Hangul or a digit. The catalogue's `PARTICLE` (and `ui/fluent.js`'s).
pub fn particle(word: &str, closed: &str, open: &str) -> String {
    let Some(end) = word.trim_end().chars().last() else {
        return format!("{closed}({open})");
    };
    // A number ends in how its last digit is read: 영 일 이 삼 사 오 육 칠 팔 구.
    const DIGIT_FINALS: [u32; 10] = [21, 8, 0, 16, 0, 0, 1, 8, 8, 0];
    let last = end as u32;
    let final_consonant = if let Some(d) = end.to_digit(10) {
        DIGIT_FINALS[d as usize]
    } else if (0xac00..=0xd7a3).contains(&last) {
        (last - 0xac00) % 28
    } else {
        return format!("{closed}({open})");
    };
    if final_consonant == 0 || (closed == "으로" && final_consonant == 8) {
        open.to_string()
    } else {
        closed.to_string()
    }
}

/// The SQL function `contains(haystack, needle)`: 1 when the folded `needle` occurs in
/// `haystack` byte for byte, else 0. Search filters use it instead of `LIKE '%term%'`: both
/// sides are folded already, so LIKE's ASCII case-folding and its escapes only cost time, and
/// its per-character matching was most of a keystroke's search at 20,000 officials. The needle
/// is compiled once per statement (SQLite's auxiliary data) and searched with SIMD. UTF-8 is
/// self-synchronising, so a byte match is a character match.
pub(crate) fn register_contains(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    conn.create_scalar_function(
        "contains",
        2,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let finder = ctx.get_or_create_aux(1, |needle| -> Result<_, rusqlite::Error> {
                let bytes = match needle {
                    ValueRef::Text(b) | ValueRef::Blob(b) => b,
                    _ => &[],
                };
                Ok(memchr::memmem::Finder::new(bytes).into_owned())
            })?;
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(h) | ValueRef::Blob(h) => finder.find(h).is_some(),
                _ => false,
            })
        },
    )
}

/// "1 official", "3 officials": a count with its English noun, the plural made by adding "s"
/// unless `plural` is given. Sentences for the officer say "1 room", never "1 room(s)".
pub fn counted(n: impl Into<i64>, one: &str, plural: Option<&str>) -> String {
    let n = n.into();
    match (n, plural) {
        (1, _) => format!("1 {one}"),
        (_, Some(many)) => format!("{n} {many}"),
        (_, None) => format!("{n} {one}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_sentences() {
        assert_eq!(counted(1, "room", None), "1 room");
        assert_eq!(counted(3, "room", None), "3 rooms");
        assert_eq!(
            counted(0, "roster entry", Some("roster entries")),
            "0 roster entries"
        );
    }

    fn check(input: &str, expect: &str) {
        assert_eq!(fold(input), expect, "fold({input:?})");
    }

    #[test]
    fn folds_case_and_accents() {
        check("Nguyễn Thị Thu Hà", "nguyen thi thu ha");
        check("ĐẶNG", "dang");
        check("Müller", "muller");
        check("ＫＩＭ", "kim");
        check("Иванов", "иванов");
    }

    #[test]
    fn hangul_folds_consistently() {
        // Syllables decompose into jamo on both sides, so a whole syllable still matches.
        assert!(fold("김지원").contains(&fold("지원")));
        assert!(fold("김지원").contains(&fold("김")));
    }

    #[test]
    fn contains_matches_bytes_literally() {
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        register_contains(&conn).expect("function");
        let check = |haystack: &str, needle: &str| -> bool {
            conn.query_row("SELECT contains(?, ?)", [haystack, needle], |r| r.get(0))
                .expect("query")
        };
        assert!(check("nguyen van minh", "van m"));
        assert!(check(&fold("김지원"), &fold("지원")));
        // What LIKE would treat as wildcards is plain text here.
        assert!(check("50%_a\\", "%_a"));
        assert!(!check("50 a", "%"));
        assert!(!check("abc", "abd"));
        assert!(check("abc", ""));
        // Case is the folding's business: both sides arrive folded.
        assert!(!check("kim", "KIM"));
    }
}
