//! What the screens and the CLI list: each row is a record plus the names a list shows
//! beside it, read in one query.

use rusqlite::{Connection, Row};
use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::audience;
use crate::error::Result;
use crate::model::*;
use crate::store::Store;
use crate::text::fold;
use crate::words::Text;

/// Runs `sql` with `params` and maps every row.
fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let out = stmt
        .query_map(params, map)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

#[derive(Debug, Serialize)]
pub struct EventSummary {
    #[serde(flatten)]
    pub event: Event,
    pub delegations: i64,
    pub officials: i64,
    /// One of the demo events (made up; `ddesk demo` resets it): labelled so in the window,
    /// so that no one mistakes it for real work.
    pub demo: bool,
    /// Whether it still holds personal data a purge would remove (the library says so).
    pub personal_data: bool,
}

pub fn events(conn: &Connection) -> Result<Vec<EventSummary>> {
    let demo = crate::demo::event_ids()?;
    rows(
        conn,
        &format!(
            "SELECT {},
                (SELECT count(*) FROM delegation d WHERE d.event_id = e.id) AS n_delegations,
                (SELECT count(*) FROM official o WHERE o.event_id = e.id) AS n_officials,
                {} AS personal_data
           FROM event e ORDER BY e.start_date DESC, e.name_en",
            Event::select("e"),
            crate::store::purge::holds_personal_data_sql()
        ),
        [],
        |r| {
            let event = Event::from_row(r)?;
            Ok(EventSummary {
                demo: demo.contains(&event.id),
                event,
                delegations: r.get("n_delegations")?,
                officials: r.get("n_officials")?,
                personal_data: r.get("personal_data")?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct DelegationRow {
    #[serde(flatten)]
    pub delegation: Delegation,
    pub display_name_en: String,
    pub display_name_ko: String,
    pub officials: i64,
    pub head_name: String,
}

pub fn delegations(conn: &Connection, event_id: &str) -> Result<Vec<DelegationRow>> {
    rows(
        conn,
        &format!(
            "SELECT {},
                (SELECT count(*) FROM official o WHERE o.delegation_id = d.id) AS n_officials,
                h.family_name AS head_family, h.given_name AS head_given
           FROM delegation d LEFT JOIN official h ON h.id = d.head_official_id
          WHERE d.event_id = ? ORDER BY d.kind, d.name_en",
            Delegation::select("d")
        ),
        [event_id],
        |r| {
            let delegation = Delegation::from_row(r)?;
            let head_family: Option<String> = r.get("head_family")?;
            let head_given: Option<String> = r.get("head_given")?;
            Ok(DelegationRow {
                display_name_en: delegation.name_en.clone(),
                display_name_ko: delegation.name_ko.clone(),
                officials: r.get("n_officials")?,
                head_name: head_family
                    .map(|f| full_name(&f, &head_given.unwrap_or_default()))
                    .unwrap_or_default(),
                delegation,
            })
        },
    )
}

/// How the officials list is searched, filtered, sorted and paged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OfficialQuery {
    pub search: String,
    pub delegation_id: Option<String>,
    pub category: Option<Category>,
    pub status: Option<OfficialStatus>,
    /// Only officials not cancelled who are not on this session's roster: whom the roster
    /// screen offers to add.
    pub not_on_session: Option<String>,
    pub sort: OfficialSort,
    pub desc: bool,
    pub offset: i64,
    /// 0 means no limit.
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficialSort {
    #[default]
    Name,
    Delegation,
    Category,
    Status,
    Updated,
}

#[derive(Debug, Serialize)]
pub struct OfficialRow {
    #[serde(flatten)]
    pub official: Official,
    pub full_name: String,
    pub delegation_name_en: String,
    pub delegation_name_ko: String,
}

/// An officials list row as the window shows it: the list's columns, the names its pickers
/// label a person with, and the id its form reads the whole record by. A page of 100 whole
/// records was 92 KB of JSON for each keystroke of a search; these are a fifth of that.
#[derive(Debug, Serialize)]
pub struct ListedOfficial {
    pub id: String,
    pub full_name: String,
    pub native_name: String,
    pub badge_name: String,
    pub position: String,
    pub category: Category,
    pub status: OfficialStatus,
    pub delegation_id: Option<String>,
    pub delegation_name_en: String,
    pub delegation_name_ko: String,
}

impl From<OfficialRow> for ListedOfficial {
    fn from(row: OfficialRow) -> ListedOfficial {
        let o = row.official;
        ListedOfficial {
            id: o.id,
            full_name: row.full_name,
            native_name: o.native_name,
            badge_name: o.badge_name,
            position: o.position,
            category: o.category,
            status: o.status,
            delegation_id: o.delegation_id,
            delegation_name_en: row.delegation_name_en,
            delegation_name_ko: row.delegation_name_ko,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub total: i64,
    pub rows: Vec<T>,
}

/// What a paged list asks for: the words typed, the column to sort by (a key the list knows;
/// anything else sorts by its default) and the page. Lists of an event that grow with its
/// size (flights, stays) are read this way so the window never holds tens of thousands of rows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub search: String,
    pub sort: String,
    pub desc: bool,
    pub offset: i64,
    /// 0 means no limit.
    pub limit: i64,
}

/// How one paged list is read: `from` is the SQL after `FROM`, ending in a `WHERE` with one `?`
/// for the event; `count_from` is the same rows without the joins that only add names (the
/// total is read from the list's own narrow index); `haystack` is the folded text each search
/// word must occur in, a column of the list's own table so that both queries can filter on it;
/// `sorts` maps the list's column keys to SQL (the first is the default); `tiebreak` makes the
/// order total.
struct Paged<'a> {
    select: &'a str,
    from: &'a str,
    count_from: &'a str,
    /// The row id of the list's own table, as `from` and `count_from` both name it.
    key: &'a str,
    haystack: &'a str,
    sorts: &'a [(&'a str, &'a str)],
    tiebreak: &'a str,
}

/// At most this many matches of a search are read by their row ids and sorted; more are found
/// by walking the list's order and stopping after the page. A rare word walked the whole
/// event (20,000 rows to find 27); a common one sorted thousands of rows for one page.
const SPARSE: i64 = 2_000;

/// Counts the rows `count_from` + `filter` finds; a search that finds few of them also
/// narrows `filter` to those rows by rowid (`key`), so that the page reads just them. Says
/// whether it narrowed.
fn count_and_narrow(
    conn: &Connection,
    count_from: &str,
    key: &str,
    filter: &mut String,
    params: &mut Vec<String>,
    searching: bool,
) -> Result<(i64, bool)> {
    if !searching {
        let total = conn
            .prepare_cached(&format!("SELECT count(*) FROM {count_from}{filter}"))?
            .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
        return Ok((total, false));
    }
    // The row ids come with the count from the same pass over the narrow search index; the
    // list of a common word is built and dropped, which costs far less than a second pass.
    let (total, keys): (i64, Option<String>) = conn
        .prepare_cached(&format!(
            "SELECT count(*), group_concat({key}) FROM {count_from}{filter}"
        ))?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let narrowed = keys.filter(|_| total <= SPARSE).map(|keys| {
        // The search filters stay: the page finds exactly what was counted.
        filter.push_str(&format!(" AND {key} IN (SELECT value FROM json_each(?))"));
        params.push(format!("[{keys}]"));
    });
    Ok((total, narrowed.is_some()))
}

/// Marks the officials' `filter` (which begins with the event's column) as one that reads a
/// short list of row ids: `+` keeps SQLite from walking the event's names in order (its choice,
/// to spare a sort) and testing each against the list. For a search, 8 ms for 30 matches at
/// 20,000 officials, where reading them by id and sorting them takes 1.
fn by_row_ids(filter: &mut String) {
    if !filter.starts_with('+') {
        filter.insert(0, '+');
    }
}

/// The ORDER BY of a list: the sort key in the asked direction, then the tiebreak without the
/// columns the sort key already has (a repeated column orders nothing, but it kept SQLite from
/// reading the rows in the order of an index that matches the sort).
fn order_by(sort: &str, dir: &str, tiebreak: &str) -> String {
    let sort: Vec<&str> = sort.split(", ").collect();
    let mut order: Vec<String> = sort.iter().map(|c| format!("{c} {dir}")).collect();
    order.extend(
        tiebreak
            .split(", ")
            .filter(|c| !sort.contains(c))
            .map(str::to_string),
    );
    order.join(", ")
}

fn paged<T>(
    conn: &Connection,
    spec: &Paged<'_>,
    event_id: &str,
    q: &ListQuery,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<T>> {
    let mut filter = String::new();
    let mut params: Vec<String> = vec![event_id.to_string()];
    for term in fold(&q.search).split_whitespace() {
        filter.push_str(&format!(" AND contains({}, ?)", spec.haystack));
        params.push(term.to_string());
    }
    let searching = params.len() > 1;
    let (total, _) = count_and_narrow(
        conn,
        spec.count_from,
        spec.key,
        &mut filter,
        &mut params,
        searching,
    )?;
    if total == 0 {
        return Ok(Page {
            total,
            rows: Vec::new(),
        });
    }
    let sort = spec
        .sorts
        .iter()
        .find(|(key, _)| *key == q.sort)
        .or(spec.sorts.first())
        .map(|(_, sql)| *sql)
        .unwrap_or("1");
    let dir = if q.desc { "DESC" } else { "ASC" };
    // The direction applies to every column of a multi-column sort key.
    let limit = if q.limit > 0 { q.limit } else { -1 };
    let sql = format!(
        "SELECT {} FROM {}{filter} ORDER BY {} LIMIT {limit} OFFSET {}",
        spec.select,
        spec.from,
        order_by(sort, dir, spec.tiebreak),
        q.offset.max(0)
    );
    let rows = rows(conn, &sql, rusqlite::params_from_iter(&params), map)?;
    Ok(Page { total, rows })
}

fn official_row(r: &Row<'_>) -> rusqlite::Result<OfficialRow> {
    let official = Official::from_row(r)?;
    Ok(OfficialRow {
        full_name: official.full_name(),
        delegation_name_en: r.get("delegation_name_en")?,
        delegation_name_ko: r.get("delegation_name_ko")?,
        official,
    })
}

pub fn officials(
    conn: &Connection,
    event_id: &str,
    q: &OfficialQuery,
) -> Result<Page<OfficialRow>> {
    let mut filter = String::from("o.event_id = ?");
    let mut params: Vec<String> = vec![event_id.to_string()];
    for term in fold(&q.search).split_whitespace() {
        filter.push_str(" AND contains(o.search_text, ?)");
        params.push(term.to_string());
    }
    if let Some(d) = &q.delegation_id {
        filter.push_str(" AND o.delegation_id = ?");
        params.push(d.clone());
    }
    if let Some(c) = q.category {
        filter.push_str(" AND o.category = ?");
        params.push(c.as_str().into());
    }
    if let Some(s) = q.status {
        filter.push_str(" AND o.status = ?");
        params.push(s.as_str().into());
    }
    let searching = !q.search.trim().is_empty();
    // Whom a roster screen offers to add: officials not cancelled and not on the session. Said
    // per audience so that SQLite reads a short list where there is one (those left out of a
    // session for everyone) and otherwise walks the names in order, stopping after the page;
    // the total is everyone coming less the head-count, both read from indexes. One NOT
    // EXISTS per official made the first page of a session for everyone take 62 ms at 20,000.
    let mut total = None;
    if let Some(session_id) = &q.not_on_session {
        let session = Session::get(conn, session_id)?;
        let removed = "o.id IN (SELECT official_id FROM participant
                                 WHERE session_id = ? AND membership = 'removed')";
        let added = "o.id NOT IN (SELECT official_id FROM participant
                                   WHERE session_id = ? AND membership = 'added')";
        filter.push_str(" AND o.status <> 'cancelled'");
        match session.audience {
            Audience::Everyone => {
                // Only those left out: read by their row ids, as a rare search word's matches
                // are (`count_and_narrow`), not found by walking every name.
                let keys: Option<String> = conn
                    .prepare_cached(
                        "SELECT group_concat(o.rowid) FROM participant p
                           JOIN official o ON o.id = p.official_id
                          WHERE p.session_id = ? AND p.membership = 'removed'",
                    )?
                    .query_row([session_id], |r| r.get(0))?;
                filter.push_str(" AND o.rowid IN (SELECT value FROM json_each(?))");
                params.push(format!("[{}]", keys.unwrap_or_default()));
                by_row_ids(&mut filter);
            }
            Audience::List => {
                filter.push_str(&format!(" AND {added}"));
                params.push(session_id.clone());
            }
            Audience::Groups => {
                let (rule, rule_params) = audience::rule_sql(&session);
                filter.push_str(&format!(" AND ({removed} OR (NOT {rule} AND {added}))"));
                params.push(session_id.clone());
                params.extend(rule_params);
                params.push(session_id.clone());
            }
        }
        let filtered = q.delegation_id.is_some() || q.category.is_some() || q.status.is_some();
        if !searching && !filtered {
            let coming: i64 = conn
                .prepare_cached(
                    "SELECT count(*) FROM official WHERE event_id = ? AND status <> 'cancelled'",
                )?
                .query_row([event_id], |r| r.get(0))?;
            total = Some(coming - head_count(conn, &session)?);
        }
    }
    let total = match total {
        Some(total) => total,
        None => {
            let (total, narrowed) = count_and_narrow(
                conn,
                "official o WHERE ",
                "o.rowid",
                &mut filter,
                &mut params,
                searching,
            )?;
            if narrowed {
                by_row_ids(&mut filter);
            }
            total
        }
    };
    if total == 0 {
        return Ok(Page {
            total,
            rows: Vec::new(),
        });
    }
    let dir = if q.desc { "DESC" } else { "ASC" };
    let name = format!("o.family_name COLLATE NOCASE {dir}, o.given_name COLLATE NOCASE {dir}");
    let order = match q.sort {
        OfficialSort::Name => name,
        OfficialSort::Delegation => format!("delegation_name_en COLLATE NOCASE {dir}, {name}"),
        OfficialSort::Category => format!("o.category {dir}, {name}"),
        OfficialSort::Status => format!("o.status {dir}, {name}"),
        OfficialSort::Updated => format!("o.updated_at {dir}"),
    };
    let limit = if q.limit > 0 { q.limit } else { -1 };
    let sql = format!(
        "SELECT {}, coalesce(d.name_en, '') AS delegation_name_en, coalesce(d.name_ko, '') AS delegation_name_ko
           FROM official o LEFT JOIN delegation d ON d.id = o.delegation_id
          WHERE {filter} ORDER BY {order}, o.id LIMIT {limit} OFFSET {}",
        Official::select("o"),
        q.offset.max(0)
    );
    let rows = rows(
        conn,
        &sql,
        rusqlite::params_from_iter(&params),
        official_row,
    )?;
    Ok(Page { total, rows })
}

/// A page of `event_id`'s officials, as `officials` reads it. Words searched in name order
/// with nothing else narrowing them (the officer typing in the list) are matched in the
/// store's name index (`store/names.rs`) instead of by SQLite, and the page's rows are then
/// read by their row ids: at 20,000 officials SQLite's count of a word's matches took 5–9 ms
/// of each keystroke in the window.
pub fn officials_listed(
    store: &Store,
    event_id: &str,
    q: &OfficialQuery,
) -> Result<Page<OfficialRow>> {
    let folded = fold(&q.search);
    let words: Vec<&str> = folded.split_whitespace().collect();
    if words.is_empty() || !searched_by_name_only(q) {
        return store.read(|conn| officials(conn, event_id, q));
    }
    store.read_names(event_id, |conn, names| {
        officials_matched(conn, event_id, q, &names.matching(&words))
    })
}

/// Reads `event_id`'s name index ahead of the officer's first keystroke: the window asks once
/// the officials list is on screen (10–20 ms at 20,000 officials, and the index's pages are
/// in the connection's cache after it).
pub fn warm_official_search(store: &Store, event_id: &str) -> Result<()> {
    store.read_names(event_id, |_, _| Ok(()))
}

/// Whether `q` only searches words in the name order ascending, with no filter: what the
/// officer's typing in the officials list asks, and what the store's name index answers
/// (`officials_listed`). Descending, officials of the same name keep their id order
/// ascending, which the index's order reversed would not.
fn searched_by_name_only(q: &OfficialQuery) -> bool {
    matches!(q.sort, OfficialSort::Name)
        && !q.desc
        && q.delegation_id.is_none()
        && q.category.is_none()
        && q.status.is_none()
        && q.not_on_session.is_none()
}

/// The page of `officials` whose matches are known: `matched` holds the row ids of every
/// official found, in name order (`searched_by_name_only`). Only the page's rows are read.
fn officials_matched(
    conn: &Connection,
    event_id: &str,
    q: &OfficialQuery,
    matched: &[i64],
) -> Result<Page<OfficialRow>> {
    let total = matched.len() as i64;
    let limit = if q.limit > 0 {
        q.limit as usize
    } else {
        matched.len()
    };
    let page: Vec<i64> = matched
        .iter()
        .skip(q.offset.max(0) as usize)
        .take(limit)
        .copied()
        .collect();
    if page.is_empty() {
        return Ok(Page {
            total,
            rows: Vec::new(),
        });
    }
    let rows = officials_among(conn, event_id, "o.rowid", &serde_json::to_string(&page)?)?;
    Ok(Page { total, rows })
}

/// The event's officials among `ids`, by name: what a print of chosen people (one badge) reads
/// instead of the whole event's officials.
pub fn officials_by_id(
    conn: &Connection,
    event_id: &str,
    ids: &[String],
) -> Result<Vec<OfficialRow>> {
    officials_among(conn, event_id, "o.id", &serde_json::to_string(ids)?)
}

/// The event's officials whose `key` (`o.id` or `o.rowid`) is in `keys` (a JSON array), by
/// name. `+` keeps SQLite from walking the event's names to test each against the list.
fn officials_among(
    conn: &Connection,
    event_id: &str,
    key: &str,
    keys: &str,
) -> Result<Vec<OfficialRow>> {
    let sql = format!(
        "SELECT {}, coalesce(d.name_en, '') AS delegation_name_en, coalesce(d.name_ko, '') AS delegation_name_ko
           FROM official o LEFT JOIN delegation d ON d.id = o.delegation_id
          WHERE +o.event_id = ? AND {key} IN (SELECT value FROM json_each(?))
          ORDER BY o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE, o.id",
        Official::select("o"),
    );
    rows(conn, &sql, rusqlite::params![event_id, keys], official_row)
}

/// Names shown next to a record that points at an official.
#[derive(Debug, Serialize)]
pub struct PersonRef {
    pub full_name: String,
    pub native_name: String,
    pub delegation_name_en: String,
    pub delegation_name_ko: String,
}

const PERSON_COLUMNS: &str =
    "o.family_name AS p_family, o.given_name AS p_given, o.native_name AS p_native,
     coalesce(d.name_en, '') AS p_delegation_en, coalesce(d.name_ko, '') AS p_delegation_ko";

fn person(r: &Row<'_>) -> rusqlite::Result<PersonRef> {
    Ok(PersonRef {
        full_name: full_name(
            &r.get::<_, String>("p_family")?,
            &r.get::<_, String>("p_given")?,
        ),
        native_name: r.get("p_native")?,
        delegation_name_en: r.get("p_delegation_en")?,
        delegation_name_ko: r.get("p_delegation_ko")?,
    })
}

#[derive(Debug, Serialize)]
pub struct TravelRow {
    #[serde(flatten)]
    pub travel: Travel,
    #[serde(flatten)]
    pub person: PersonRef,
}

/// One direction's flights of the officials not cancelled, each with its official, by time,
/// flight and passport name: the order of arrival and departure boards and their exports.
pub fn legs_in_order(
    travel: Vec<Travel>,
    officials: &[OfficialRow],
    dir: Direction,
) -> Vec<(Travel, &OfficialRow)> {
    let by_id: std::collections::HashMap<&str, &OfficialRow> = officials
        .iter()
        .map(|r| (r.official.id.as_str(), r))
        .collect();
    let mut legs: Vec<(Travel, &OfficialRow)> = travel
        .into_iter()
        .filter(|t| t.direction == dir)
        .filter_map(|t| {
            let row = by_id.get(t.official_id.as_str()).copied()?;
            Some((t, row))
        })
        .filter(|(_, r)| r.official.status != OfficialStatus::Cancelled)
        .collect();
    legs.sort_by_cached_key(|(t, r)| (t.scheduled_at, t.flight.clone(), fold(&r.full_name)));
    legs
}

/// Flights of an event, a page at a time. Search matches the official's names (every form,
/// as officials search does) and the flight, airports and greeter.
pub fn travel(conn: &Connection, event_id: &str, q: &ListQuery) -> Result<Page<TravelRow>> {
    let time = "t.scheduled_at";
    let name = "o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE";
    paged(
        conn,
        &Paged {
            select: &format!("{}, {PERSON_COLUMNS}", Travel::select("t")),
            // The flight's own event (schema v4) lets the first page walk travel_event in time
            // order instead of joining every flight of the event to its official.
            from: "travel t JOIN official o ON o.id = t.official_id
                   LEFT JOIN delegation d ON d.id = o.delegation_id
                  WHERE t.event_id = ?",
            count_from: "travel t WHERE t.event_id = ?",
            key: "t.rowid",
            // The official's search text and the flight's words, kept by the schema's triggers.
            haystack: "t.search_text",
            sorts: &[
                ("scheduled_at", time),
                ("full_name", name),
                ("delegation", "coalesce(d.name_en, '') COLLATE NOCASE"),
                ("direction", "t.direction"),
                ("flight", "t.flight COLLATE NOCASE"),
                ("route", "t.origin COLLATE NOCASE, t.airport COLLATE NOCASE"),
                ("pickup", "t.pickup"),
                ("greeter", "t.greeter COLLATE NOCASE"),
            ],
            tiebreak: "t.scheduled_at, t.id",
        },
        event_id,
        q,
        |r| {
            Ok(TravelRow {
                travel: Travel::from_row(r)?,
                person: person(r)?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct HotelRow {
    #[serde(flatten)]
    pub hotel: Hotel,
    pub blocks: i64,
    pub stays: i64,
}

pub fn hotels(conn: &Connection, event_id: &str) -> Result<Vec<HotelRow>> {
    rows(
        conn,
        &format!(
            "SELECT {},
                (SELECT count(*) FROM room_block b WHERE b.hotel_id = h.id) AS n_blocks,
                (SELECT count(*) FROM stay s WHERE s.hotel_id = h.id) AS n_stays
           FROM hotel h WHERE h.event_id = ? ORDER BY h.name",
            Hotel::select("h")
        ),
        [event_id],
        |r| {
            Ok(HotelRow {
                hotel: Hotel::from_row(r)?,
                blocks: r.get("n_blocks")?,
                stays: r.get("n_stays")?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct RoomBlockRow {
    #[serde(flatten)]
    pub block: RoomBlock,
    pub hotel_name: String,
}

pub fn room_blocks(conn: &Connection, event_id: &str) -> Result<Vec<RoomBlockRow>> {
    rows(
        conn,
        &format!(
            "SELECT {}, h.name AS hotel_name FROM room_block b JOIN hotel h ON h.id = b.hotel_id
          WHERE h.event_id = ? ORDER BY h.name, b.first_night, b.room_type",
            RoomBlock::select("b")
        ),
        [event_id],
        |r| {
            Ok(RoomBlockRow {
                block: RoomBlock::from_row(r)?,
                hotel_name: r.get("hotel_name")?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct StayRow {
    #[serde(flatten)]
    pub stay: Stay,
    pub full_name: String,
    pub hotel_name: String,
    pub room_type: String,
    pub shares_with_name: String,
}

/// Hotel stays of an event, a page at a time. Search matches the guest's names (every form),
/// the hotel, the room type and number, and the room-mate's passport name.
pub fn stays(conn: &Connection, event_id: &str, q: &ListQuery) -> Result<Page<StayRow>> {
    let name = "o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE";
    paged(
        conn,
        &Paged {
            select: &format!(
                "{}, o.family_name AS p_family, o.given_name AS p_given, h.name AS hotel_name,
                 coalesce(b.room_type, '') AS room_type,
                 m.family_name AS m_family, m.given_name AS m_given",
                Stay::select("s")
            ),
            from: "stay s JOIN official o ON o.id = s.official_id
                   JOIN hotel h ON h.id = s.hotel_id
                   LEFT JOIN room_block b ON b.id = s.room_block_id
                   LEFT JOIN official m ON m.id = s.shares_with_id
                  WHERE o.event_id = ?",
            // Filtering on the official's event lets the default page walk official_event in
            // name order and stop after a page; the count reads the stay's own event instead.
            count_from: "stay s WHERE s.event_id = ?",
            key: "s.rowid",
            // The guest's search text, hotel, room type and number and the room-mate's name,
            // kept by the schema's triggers.
            haystack: "s.search_text",
            sorts: &[
                ("full_name", name),
                ("hotel_name", "h.name COLLATE NOCASE"),
                ("room_type", "coalesce(b.room_type, '') COLLATE NOCASE"),
                ("check_in", "s.check_in"),
                ("check_out", "s.check_out"),
                ("room_number", "s.room_number COLLATE NOCASE"),
                (
                    "shares_with_name",
                    "coalesce(m.family_name, '') COLLATE NOCASE",
                ),
            ],
            tiebreak: "o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE, s.id",
        },
        event_id,
        q,
        |r| {
            let mate_family: Option<String> = r.get("m_family")?;
            let mate_given: Option<String> = r.get("m_given")?;
            Ok(StayRow {
                stay: Stay::from_row(r)?,
                full_name: full_name(
                    &r.get::<_, String>("p_family")?,
                    &r.get::<_, String>("p_given")?,
                ),
                hotel_name: r.get("hotel_name")?,
                room_type: r.get("room_type")?,
                shares_with_name: mate_family
                    .map(|f| full_name(&f, &mate_given.unwrap_or_default()))
                    .unwrap_or_default(),
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct VenueRow {
    #[serde(flatten)]
    pub venue: Venue,
    pub rooms: i64,
}

pub fn venues(conn: &Connection, event_id: &str) -> Result<Vec<VenueRow>> {
    rows(
        conn,
        &format!(
            "SELECT {}, (SELECT count(*) FROM venue_room r WHERE r.venue_id = v.id) AS n_rooms
           FROM venue v WHERE v.event_id = ? ORDER BY v.name",
            Venue::select("v")
        ),
        [event_id],
        |r| {
            Ok(VenueRow {
                venue: Venue::from_row(r)?,
                rooms: r.get("n_rooms")?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct VenueRoomRow {
    #[serde(flatten)]
    pub room: VenueRoom,
    pub venue_name: String,
    /// The venue's Korean name, for the Korean window (empty when it has none).
    pub venue_name_ko: String,
}

pub fn venue_rooms(conn: &Connection, event_id: &str) -> Result<Vec<VenueRoomRow>> {
    rows(
        conn,
        &format!(
            "SELECT {}, v.name AS venue_name, v.name_ko AS venue_name_ko
           FROM venue_room r JOIN venue v ON v.id = r.venue_id
          WHERE v.event_id = ? ORDER BY v.name, r.name",
            VenueRoom::select("r")
        ),
        [event_id],
        |r| {
            Ok(VenueRoomRow {
                room: VenueRoom::from_row(r)?,
                venue_name: r.get("venue_name")?,
                venue_name_ko: r.get("venue_name_ko")?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
pub struct SessionRow {
    #[serde(flatten)]
    pub session: Session,
    pub room_name: String,
    pub venue_name: String,
    /// The Korean names of the room and the venue, for the Korean window (empty when none).
    pub room_name_ko: String,
    pub venue_name_ko: String,
    pub participants: i64,
    /// The audience in words with the head-count ("Everyone · 114").
    pub audience_text: Text,
}

/// The event's sessions by time, each with its head-count.
pub fn sessions(conn: &Connection, event_id: &str) -> Result<Vec<SessionRow>> {
    let mut list = rows(
        conn,
        &format!(
            "SELECT {}, coalesce(r.name, '') AS room_name, coalesce(v.name, '') AS venue_name,
                coalesce(r.name_ko, '') AS room_name_ko, coalesce(v.name_ko, '') AS venue_name_ko
           FROM session s LEFT JOIN venue_room r ON r.id = s.venue_room_id
           LEFT JOIN venue v ON v.id = r.venue_id
          WHERE s.event_id = ? ORDER BY s.starts_at, s.title_en",
            Session::select("s")
        ),
        [event_id],
        |r| {
            Ok(SessionRow {
                session: Session::from_row(r)?,
                room_name: r.get("room_name")?,
                venue_name: r.get("venue_name")?,
                room_name_ko: r.get("room_name_ko")?,
                venue_name_ko: r.get("venue_name_ko")?,
                participants: 0,
                audience_text: Text::default(),
            })
        },
    )?;
    // A list's head-count is its entries less those of people cancelled, both read for every
    // list in one pass over an index each (joining every entry to its official to read the
    // status took 30 times as long at 20,000 officials); a session with a rule counts its own.
    let mut listed: HashMap<String, i64> = HashMap::new();
    for (sql, sign) in [
        (
            "SELECT p.session_id, count(*) FROM session s
               JOIN participant p ON p.session_id = s.id AND p.membership = 'added'
              WHERE s.event_id = ? AND s.audience = 'list'
              GROUP BY p.session_id",
            1,
        ),
        (
            "SELECT p.session_id, count(*) FROM official o
               JOIN participant p ON p.official_id = o.id AND p.membership = 'added'
              WHERE o.event_id = ? AND o.status = 'cancelled'
              GROUP BY p.session_id",
            -1,
        ),
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query([event_id])?;
        while let Some(row) = rows.next()? {
            *listed.entry(row.get(0)?).or_default() += sign * row.get::<_, i64>(1)?;
        }
    }
    let names: HashMap<String, (String, String)> = Delegation::of_event(conn, event_id)?
        .into_iter()
        .map(|d| {
            let ko = if d.name_ko.is_empty() {
                d.name_en.clone()
            } else {
                d.name_ko
            };
            (d.id, (d.name_en, ko))
        })
        .collect();
    for row in &mut list {
        row.participants = match row.session.audience {
            Audience::List => listed.get(&row.session.id).copied().unwrap_or(0),
            _ => head_count(conn, &row.session)?,
        };
        row.audience_text =
            audience::describe(&row.session, row.participants, |id| names.get(id).cloned());
    }
    Ok(list)
}

#[derive(Debug, Serialize)]
pub struct ParticipantRow {
    #[serde(flatten)]
    pub participant: Participant,
    #[serde(flatten)]
    pub person: PersonRef,
}

/// Who is on a session, as its audience and exceptions make it, by name, a page at a time
/// (`q.limit` 0 reads them all); `q.search` narrows it as the officials list does. A member in
/// by the rule with no entry of their own has an empty `id`.
pub fn roster(conn: &Connection, session_id: &str, q: &ListQuery) -> Result<Page<ParticipantRow>> {
    roster_of(conn, &Session::get(conn, session_id)?, q)
}

/// [`roster`] of a session already read.
fn roster_of(conn: &Connection, session: &Session, q: &ListQuery) -> Result<Page<ParticipantRow>> {
    let (from, mut params) = roster_from(session);
    let mut filter = String::new();
    for term in fold(&q.search).split_whitespace() {
        filter.push_str(" AND contains(o.search_text, ?)");
        params.push(term.to_string());
    }
    let total = if filter.is_empty() {
        head_count(conn, session)?
    } else {
        conn.prepare_cached(&format!("SELECT count(*) FROM {from}{filter}"))?
            .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
    };
    let limit = if q.limit > 0 { q.limit } else { -1 };
    // By name, the order of the official_event index: the first page of a roster of 20,000
    // walks the index and stops, where any other order sorted every member first.
    let sql = format!(
        "SELECT coalesce(p.id, ''), o.id, coalesce(p.role, 'participant'), p.attended_at,
                coalesce(p.notes, ''), CASE p.membership WHEN 'added' THEN 'added' ELSE 'rule' END,
                coalesce(p.created_at, o.created_at), coalesce(p.updated_at, o.updated_at),
                {PERSON_COLUMNS}
           FROM {from}{filter}
          ORDER BY o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE, o.id
          LIMIT {limit} OFFSET {}",
        q.offset.max(0)
    );
    let rows = rows(conn, &sql, rusqlite::params_from_iter(params.iter()), |r| {
        Ok(ParticipantRow {
            participant: Participant {
                id: r.get(0)?,
                session_id: session.id.clone(),
                official_id: r.get(1)?,
                role: r.get(2)?,
                attended_at: r.get(3)?,
                notes: r.get(4)?,
                membership: r.get(5)?,
                created_at: r.get(6)?,
                updated_at: r.get(7)?,
                // The seating plan reads seats itself (`protocol::seating::plan`).
                table_no: None,
                seat_no: None,
            },
            person: person(r)?,
        })
    })?;
    Ok(Page { total, rows })
}

/// The rows of a session's roster: `FROM` … `WHERE` over `o` (official), `p` (its entry, if
/// any) and `d` (its delegation), with the parameters. A list is read from its entries; a
/// session with a rule from the event's officials.
fn roster_from(session: &Session) -> (String, Vec<String>) {
    if session.audience == Audience::List {
        return (
            "participant p JOIN official o ON o.id = p.official_id
             LEFT JOIN delegation d ON d.id = o.delegation_id
             WHERE p.session_id = ? AND p.membership = 'added' AND o.status <> 'cancelled'"
                .into(),
            vec![session.id.clone()],
        );
    }
    let (rule, rule_params) = audience::rule_sql(session);
    let mut params = vec![session.id.clone(), session.event_id.clone()];
    params.extend(rule_params);
    (
        format!(
            "official o INDEXED BY official_event
             LEFT JOIN participant p ON p.session_id = ? AND p.official_id = o.id
             LEFT JOIN delegation d ON d.id = o.delegation_id
             WHERE o.event_id = ? AND o.status <> 'cancelled'
               AND (p.membership = 'added' OR (coalesce(p.membership, 'rule') = 'rule' AND {rule}))"
        ),
        params,
    )
}

/// How many are on a session: those the rule takes in (counted in the official_audience
/// index), less those left out, plus those added whom the rule would not take.
pub fn head_count(conn: &Connection, session: &Session) -> Result<i64> {
    let (rule, rule_params) = audience::rule_sql(session);
    let mut params = vec![session.event_id.clone()];
    params.extend(rule_params.iter().cloned());
    let by_rule: i64 = if session.audience == Audience::List {
        0
    } else {
        conn.prepare_cached(&format!(
            "SELECT count(*) FROM official o
              WHERE o.event_id = ? AND o.status <> 'cancelled' AND {rule}"
        ))?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
    };
    let mut params = rule_params;
    params.push(session.id.clone());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.membership, {rule} FROM participant p JOIN official o ON o.id = p.official_id
          WHERE p.session_id = ? AND p.membership <> 'rule' AND o.status <> 'cancelled'"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut n = by_rule;
    while let Some(row) = rows.next()? {
        let membership: Membership = row.get(0)?;
        let taken: bool = row.get(1)?;
        match (membership, taken) {
            (Membership::Added, false) => n += 1,
            (Membership::Removed, true) => n -= 1,
            _ => {}
        }
    }
    Ok(n)
}

/// Every member of every session of the event, as roster entries (see [`roster`]).
pub fn rosters_of_event(conn: &Connection, event_id: &str) -> Result<Vec<Participant>> {
    let mut out = Vec::new();
    for session in Session::of_event(conn, event_id)? {
        let page = roster_of(conn, &session, &ListQuery::default())?;
        out.extend(page.rows.into_iter().map(|r| r.participant));
    }
    Ok(out)
}

/// Everyone on a session (see [`roster`]).
pub fn participants(conn: &Connection, session_id: &str) -> Result<Vec<ParticipantRow>> {
    Ok(roster(conn, session_id, &ListQuery::default())?.rows)
}

/// The officials left out of a session against its audience's rule ("removed" entries), by
/// name: the roster screen offers to put them back.
pub fn left_out(conn: &Connection, session_id: &str) -> Result<Vec<ParticipantRow>> {
    rows(
        conn,
        &format!(
            "SELECT {}, {PERSON_COLUMNS}
               FROM participant p JOIN official o ON o.id = p.official_id
               LEFT JOIN delegation d ON d.id = o.delegation_id
              WHERE p.session_id = ? AND p.membership = 'removed'
              ORDER BY o.family_name, o.given_name, o.id",
            Participant::select("p")
        ),
        [session_id],
        |r| {
            Ok(ParticipantRow {
                participant: Participant::from_row(r)?,
                person: person(r)?,
            })
        },
    )
}
