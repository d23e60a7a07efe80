//! One event's officials' search texts held in memory, in the list's name order, for search as
//! the officer types. SQLite tested `contains` on every entry of the event's index for each
//! keystroke's count: 5–9 ms at 20,000 officials in the window (its pages cold in the CPU's
//! caches between keystrokes), where one pass over the texts laid end to end takes well under
//! one. The index is rebuilt whenever the library may have changed since it was read
//! (`Stamp`), so a search never answers from an old state.

use memchr::memmem::Finder;
use rusqlite::Connection;

use crate::error::Result;

/// What tells a state of the library apart, as one connection sees it: SQLite's
/// `data_version` moves when another connection (the command line, a second window's process)
/// commits; `total_changes` counts the rows this connection has written, rolled back or not.
/// Equal stamps on the same connection mean no row can have changed in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    data_version: i64,
    total_changes: u64,
}

impl Stamp {
    pub(crate) fn of(conn: &Connection) -> Result<Stamp> {
        Ok(Stamp {
            data_version: conn.query_row("PRAGMA data_version", [], |r| r.get(0))?,
            total_changes: conn.total_changes(),
        })
    }
}

/// The event's officials as the list orders them by name, each with its folded search text.
pub struct NameIndex {
    event_id: String,
    stamp: Stamp,
    /// Every official's search text, each followed by a newline: a search word never holds
    /// one (the words are split on white space), so no match spans two officials.
    text: String,
    /// Where each official's text begins in `text`, in name order.
    starts: Vec<usize>,
    /// Each official's row id, in the same order.
    rowids: Vec<i64>,
}

/// Names and passport numbers stay out of debug output: the count tells what is held.
impl std::fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameIndex")
            .field("event_id", &self.event_id)
            .field("officials", &self.rowids.len())
            .finish()
    }
}

impl NameIndex {
    /// Reads `event_id`'s officials in the order of `queries::officials` by name (the same
    /// ORDER BY, from the index that holds the search text beside the names).
    pub(crate) fn build(conn: &Connection, event_id: &str, stamp: Stamp) -> Result<NameIndex> {
        let mut stmt = conn.prepare_cached(
            "SELECT rowid, search_text FROM official WHERE event_id = ?
              ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id",
        )?;
        let mut rows = stmt.query([event_id])?;
        let mut index = NameIndex::empty(event_id, stamp);
        while let Some(row) = rows.next()? {
            index.push(row.get(0)?, row.get_ref(1)?.as_str().unwrap_or(""));
        }
        index.text.shrink_to_fit();
        Ok(index)
    }

    fn empty(event_id: &str, stamp: Stamp) -> NameIndex {
        NameIndex {
            event_id: event_id.to_string(),
            stamp,
            text: String::new(),
            starts: Vec::new(),
            rowids: Vec::new(),
        }
    }

    /// The next official in name order.
    fn push(&mut self, rowid: i64, text: &str) {
        self.starts.push(self.text.len());
        self.rowids.push(rowid);
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// Whether this is `event_id`'s index as the library stands at `stamp`.
    pub(crate) fn fits(&self, event_id: &str, stamp: Stamp) -> bool {
        self.event_id == event_id && self.stamp == stamp
    }

    /// The row ids of the officials whose search text holds every one of `words` (folded,
    /// none empty, none with white space), in name order.
    pub fn matching(&self, words: &[&str]) -> Vec<i64> {
        let Some(longest) = words.iter().max_by_key(|w| w.len()) else {
            return self.rowids.clone();
        };
        // The longest word is the rarest as a rule: its matches are found in one pass over
        // every text, and only they are tested for the other words.
        let others: Vec<Finder<'_>> = words
            .iter()
            .filter(|w| !std::ptr::eq(*w, longest))
            .map(|w| Finder::new(w.as_bytes()))
            .collect();
        let bytes = self.text.as_bytes();
        let finder = Finder::new(longest.as_bytes());
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(at) = finder.find(&bytes[from..]) {
            let at = from + at;
            // The official whose text holds the match: the last one starting at or before it.
            let i = self.starts.partition_point(|&s| s <= at) - 1;
            let end = self.starts.get(i + 1).copied().unwrap_or(bytes.len());
            let own = &bytes[self.starts[i]..end];
            if others.iter().all(|f| f.find(own).is_some()) {
                found.push(self.rowids[i]);
            }
            // The next match is looked for in the next official's text.
            from = end;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> NameIndex {
        let stamp = Stamp {
            data_version: 1,
            total_changes: 0,
        };
        let mut index = NameIndex::empty("e", stamp);
        for (i, t) in texts.iter().enumerate() {
            index.push(i as i64 + 10, t);
        }
        index
    }

    #[test]
    fn every_word_must_occur_in_the_same_officials_text() {
        let idx = index(&[
            "kim min-jun korea",
            "nguyen van an vietnam",
            "kim an vietnam",
        ]);
        assert_eq!(idx.matching(&["kim"]), vec![10, 12]);
        assert_eq!(idx.matching(&["an", "kim"]), vec![12]);
        assert_eq!(idx.matching(&["vietnam", "an"]), vec![11, 12]);
        // Each official once, however often the word occurs in its text.
        assert_eq!(idx.matching(&["n"]), vec![10, 11, 12]);
        assert_eq!(idx.matching(&["korea", "vietnam"]), Vec::<i64>::new());
        assert_eq!(idx.matching(&[]), vec![10, 11, 12]);
    }

    #[test]
    fn no_match_spans_two_officials() {
        // "aeb" only appears across the boundary of the first and second texts.
        let idx = index(&["xxa", "ebyy", "zz"]);
        assert!(idx.matching(&["aeb"]).is_empty());
        assert!(idx.matching(&["ae"]).is_empty());
        assert_eq!(idx.matching(&["zz"]), vec![12]);
        assert_eq!(idx.matching(&["xxa"]), vec![10]);
    }
}
