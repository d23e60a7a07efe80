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

/// Escapes a folded term for `LIKE … ESCAPE '\'`.
pub fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn like_metacharacters_are_escaped() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
