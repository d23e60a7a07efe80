//! What each template reads from `/data.json`: the event's records turned into printed strings
//! (dates in the event's language and time zone, names in every form), with the language,
//! font list and direction each piece of text needs, checked against the installed fonts.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::fonts::{script_name, Fonts, LineWidths};
use super::{seating, transport, BadgeLayout, Document, Offset, PrintRequest, Selection};
use crate::dates::{day_heading, event_dates, long_date, short_date};
use crate::error::{Error, Result};
use crate::model::*;
use crate::queries::{self, ListQuery, OfficialQuery, OfficialRow};
use crate::words::Text;

pub(crate) const BADGES_TEMPLATE: &str = include_str!("templates/badges.typ");
const PARTICIPANTS_TEMPLATE: &str = include_str!("templates/participants.typ");
const SIGNIN_TEMPLATE: &str = include_str!("templates/signin.typ");
const DELEGATION_TEMPLATE: &str = include_str!("templates/delegation.typ");
const ROOMING_TEMPLATE: &str = include_str!("templates/rooming.typ");
const BOARD_TEMPLATE: &str = include_str!("templates/board.typ");

/// Badges to typeset: what every chunk shares, and one object per badge.
pub(crate) struct Badges {
    pub common: Value,
    pub badges: Vec<Value>,
    pub ids: Vec<String>,
    pub per_page: usize,
}

/// A list document: its template, its data and how many rows it has (for progress).
pub(crate) struct Roster {
    pub template: &'static str,
    pub data: Value,
    pub rows: usize,
    /// A paged list (`paged.rs`): typeset item by item and paged by the engine.
    pub paged: bool,
}

/// Whether text whose first strong character is right-to-left (Arabic, Hebrew, Syriac,
/// Thaana, N'Ko): such a field is set right-to-left as a whole, so a Latin acronym inside an
/// Arabic organisation name lands where an Arabic reader expects it.
fn is_rtl(text: &str) -> bool {
    for c in text.chars() {
        let u = c as u32;
        if (0x0590..=0x08FF).contains(&u)
            || (0xFB1D..=0xFDFF).contains(&u)
            || (0xFE70..=0xFEFF).contains(&u)
            || (0x10800..=0x10FFF).contains(&u)
            || (0x1E800..=0x1EFFF).contains(&u)
        {
            return true;
        }
        if c.is_alphabetic() {
            return false;
        }
    }
    false
}

fn has(text: &str, lo: u32, hi: u32) -> bool {
    text.chars().any(|c| (lo..=hi).contains(&(c as u32)))
}

/// The language (and region) a person's names are set in, so that Han characters take the
/// Japanese, Simplified or Traditional Chinese or Korean forms their owner writes, and scripts
/// without spaces break lines where their readers do.
fn language_of(o: &Official) -> (&'static str, Option<&'static str>) {
    let native = o.native_name.as_str();
    if has(native, 0x3040, 0x30FF) {
        return ("ja", None);
    }
    if has(native, 0xAC00, 0xD7A3) || has(native, 0x1100, 0x11FF) {
        return ("ko", None);
    }
    let han = has(native, 0x4E00, 0x9FFF) || has(native, 0x3400, 0x4DBF);
    match o.nationality.as_str() {
        "JP" => ("ja", None),
        "KR" | "KP" => ("ko", None),
        "TW" => ("zh", Some("TW")),
        "HK" | "MO" => ("zh", Some("HK")),
        "CN" | "SG" => ("zh", Some("CN")),
        _ if han => ("zh", Some("CN")),
        "VN" => ("vi", None),
        "TH" => ("th", None),
        "LA" => ("lo", None),
        "KH" => ("km", None),
        "MM" => ("my", None),
        "MN" => ("mn", None),
        "RU" | "BY" | "KZ" | "KG" | "TJ" => ("ru", None),
        "UA" => ("uk", None),
        "IN" | "NP" => ("hi", None),
        "IR" | "AF" => ("fa", None),
        "IL" => ("he", None),
        "SA" | "AE" | "EG" | "JO" | "MA" | "DZ" | "TN" | "IQ" | "KW" | "QA" | "OM" | "BH"
        | "LB" | "LY" | "SD" | "YE" | "SY" | "PS" | "MR" => ("ar", None),
        _ => ("en", None),
    }
}

/// The key of the font list a person's names use (see `Fonts::families_for`).
fn fontset(lang: &str, region: Option<&str>) -> String {
    match (lang, region) {
        ("zh", Some(region)) => format!("zh-{region}"),
        (lang, _) => lang.to_string(),
    }
}

/// Everything the templates need in common, and the checks every printed string goes through.
pub(super) struct Ctx<'a> {
    pub(super) fonts: &'a Fonts,
    pub(super) lang: Language,
    pub(super) event: Event,
    pub(super) tz: chrono_tz::Tz,
    pub(super) delegations: HashMap<String, Delegation>,
    /// Delegation ids in print order: countries, then organisations, each by name.
    delegation_order: Vec<String>,
    pub(super) officials: Vec<OfficialRow>,
    /// Passport numbers in full (the request said so), else masked.
    full_passport: bool,
    /// The office's protocol ranks (what seating papers print beside a name).
    pub(super) ranks: Vec<crate::protocol::Rank>,
}

impl<'a> Ctx<'a> {
    pub(super) fn load(
        conn: &Connection,
        fonts: &'a Fonts,
        request: &PrintRequest,
    ) -> Result<Ctx<'a>> {
        Ctx::load_only(conn, fonts, request, None)
    }

    /// [`Ctx::load`] with only the officials among `only`, when given: a badge for one
    /// official reads that official, not the whole event.
    pub(super) fn load_only(
        conn: &Connection,
        fonts: &'a Fonts,
        request: &PrintRequest,
        only: Option<&[String]>,
    ) -> Result<Ctx<'a>> {
        let event: Event = Event::get(conn, &request.event_id)?;
        let tz = event.tz();
        let mut delegations: Vec<Delegation> = queries::delegations(conn, &event.id)?
            .into_iter()
            .map(|d| d.delegation)
            .collect();
        let lang = request.language;
        delegations.sort_by_cached_key(|d| {
            (
                d.kind,
                crate::text::fold(&delegation_label(d, lang)),
                d.id.clone(),
            )
        });
        let delegation_order = delegations.iter().map(|d| d.id.clone()).collect();
        let officials = match only {
            Some(ids) => queries::officials_by_id(conn, &event.id, ids)?,
            None => queries::officials(conn, &event.id, &OfficialQuery::default())?.rows,
        };
        Ok(Ctx {
            fonts,
            lang,
            event,
            tz,
            delegations: delegations.into_iter().map(|d| (d.id.clone(), d)).collect(),
            delegation_order,
            officials,
            full_passport: request.full_passport,
            ranks: crate::protocol::ranks(conn)?,
        })
    }

    fn ko(&self) -> bool {
        self.lang == Language::Ko
    }

    /// Fails with the officer's error when no installed font has a character of `text`.
    fn check(&self, whose: &dyn Fn() -> String, field: &str, text: &str) -> Result<()> {
        let Some(c) = self.fonts.first_uncovered(text) else {
            return Ok(());
        };
        let script = script_name(c);
        let whose = whose();
        Err(Error::MissingFont {
            text: Text::new("error-missing_font")
                .with("script", script)
                .with("char", c.to_string())
                .with("code", format!("{:04X}", c as u32))
                .with("field", field)
                .with("whose", whose.as_str())
                .with("noto", script.split(' ').next().unwrap_or(script)),
            official: whose,
            script: script.to_string(),
        })
    }

    /// A map of printed strings with their `rtl` list, each string checked.
    pub(super) fn fields(
        &self,
        whose: &dyn Fn() -> String,
        fields: &[(&str, &str)],
    ) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        let mut rtl = Vec::new();
        for (key, text) in fields {
            self.check(whose, &key.replace('_', " "), text)?;
            if is_rtl(text) {
                rtl.push(Value::from(*key));
            }
            out.insert(key.to_string(), Value::from(*text));
        }
        out.insert("rtl".into(), Value::Array(rtl));
        Ok(out)
    }

    /// Adds more checked fields to a map made by [`Ctx::fields`].
    pub(super) fn extend(
        &self,
        map: &mut Map<String, Value>,
        whose: &dyn Fn() -> String,
        fields: &[(&str, &str)],
    ) -> Result<()> {
        let more = self.fields(whose, fields)?;
        for (k, v) in more {
            if k == "rtl" {
                if let (Some(Value::Array(have)), Value::Array(add)) = (map.get_mut("rtl"), v) {
                    have.extend(add);
                }
            } else {
                map.insert(k, v);
            }
        }
        Ok(())
    }

    pub(super) fn delegation_of(&self, o: &Official) -> Option<&Delegation> {
        o.delegation_id
            .as_ref()
            .and_then(|id| self.delegations.get(id))
    }

    /// What a badge or a list says the official belongs to: the country in the event's
    /// language, or the organisation.
    pub(super) fn delegation_name(&self, o: &Official) -> String {
        match self.delegation_of(o) {
            Some(d) => delegation_label(d, self.lang),
            None => o.organization.clone(),
        }
    }

    /// The person's names and the language and fonts they are set in.
    pub(super) fn person(&self, row: &OfficialRow, badge: bool) -> Result<Map<String, Value>> {
        let o = &row.official;
        let whose = || official_label(row);
        let name = if badge {
            badge_name(o)
        } else {
            row.full_name.clone()
        };
        let native = native_name(o, &name);
        let mut map = self.fields(&whose, &[("name", &name), ("native", &native)])?;
        let (lang, region) = language_of(o);
        map.insert("id".into(), Value::from(o.id.clone()));
        map.insert("lang".into(), Value::from(lang));
        map.insert(
            "region".into(),
            region.map(Value::from).unwrap_or(Value::Null),
        );
        map.insert("fontset".into(), Value::from(fontset(lang, region)));
        Ok(map)
    }

    /// What every template gets: the event, labels' language, fonts and the print date.
    pub(super) fn common(&self, today: NaiveDate, bilingual: bool) -> Result<Value> {
        let name = if self.ko() && !self.event.name_ko.is_empty() {
            &self.event.name_ko
        } else {
            &self.event.name_en
        };
        let whose = || "the event".to_string();
        let dates = event_dates(self.event.start_date, self.event.end_date, self.lang);
        let event = self.fields(
            &whose,
            &[
                ("name", name),
                ("dates", &dates),
                ("city", &self.event.city),
            ],
        )?;
        Ok(json!({
            "lang": self.lang.as_str(),
            "bilingual": bilingual,
            "event": event,
            "printed": long_date(today, self.lang),
            "fonts": self.font_lists(),
            "labels": crate::words::table("pdf"),
            "sheet": super::paged::SHEET_MM.margins(),
        }))
    }

    /// The font lists the templates pick from: the default, and one per language with faces
    /// of its own.
    pub(super) fn font_lists(&self) -> Value {
        let mut fonts = Map::new();
        fonts.insert("default".into(), json!(self.fonts.families_for("")));
        for lang in Fonts::own_lists() {
            fonts.insert(lang.into(), json!(self.fonts.families_for(lang)));
        }
        Value::Object(fonts)
    }

    pub(super) fn date(&self, instant: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        instant.with_timezone(&self.tz).date_naive()
    }

    pub(super) fn time(&self, instant: chrono::DateTime<chrono::Utc>) -> String {
        instant.with_timezone(&self.tz).format("%H:%M").to_string()
    }

    /// Officials not cancelled, in print order: by delegation, then by rank, then by name.
    pub(super) fn present(&self) -> Vec<&OfficialRow> {
        let mut rows: Vec<&OfficialRow> = self
            .officials
            .iter()
            .filter(|r| r.official.status != OfficialStatus::Cancelled)
            .collect();
        self.sort(&mut rows);
        rows
    }

    pub(super) fn sort(&self, rows: &mut [&OfficialRow]) {
        let position: HashMap<&str, usize> = self
            .delegation_order
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        rows.sort_by_cached_key(|r| {
            let o = &r.official;
            (
                o.delegation_id
                    .as_deref()
                    .and_then(|id| position.get(id).copied())
                    .unwrap_or(usize::MAX),
                crate::text::fold(&o.organization),
                rank(o.category),
                crate::text::fold(&r.full_name),
                o.id.clone(),
            )
        });
    }
}

pub(super) fn delegation_label(d: &Delegation, lang: Language) -> String {
    if lang == Language::Ko && !d.name_ko.is_empty() {
        d.name_ko.clone()
    } else {
        d.name_en.clone()
    }
}

/// How an error names an official: the passport name, and the delegation when there is one.
pub(super) fn official_label(row: &OfficialRow) -> String {
    if row.delegation_name_en.is_empty() {
        row.full_name.clone()
    } else {
        format!("{} ({})", row.full_name, row.delegation_name_en)
    }
}

/// The organisation to print beside the delegation, or nothing when it only repeats it:
/// "Asian Development Bank · Asian Development Bank" says nothing twice.
pub(super) fn organization_beside<'o>(o: &'o Official, delegation: &str) -> &'o str {
    if crate::text::fold(&o.organization) == crate::text::fold(delegation) {
        ""
    } else {
        &o.organization
    }
}

/// The name in large type: the badge name, or "Given FAMILY" from the passport.
fn badge_name(o: &Official) -> String {
    if !o.badge_name.is_empty() {
        return o.badge_name.clone();
    }
    let family = o.family_name.to_uppercase();
    if o.given_name.is_empty() {
        family
    } else {
        format!("{} {family}", o.given_name)
    }
}

/// The native-script name, when it says something the printed name does not.
fn native_name(o: &Official, shown: &str) -> String {
    let native = o.native_name.trim();
    // Case and spacing do not make a name different; accents do ("Đặng Thị" says more than
    // the passport's "DANG Thi").
    let key = |a: &str| {
        a.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let same = |a: &str| key(a) == key(native);
    if native.is_empty() || same(shown) || same(&o.full_name()) || same(&badge_name(o)) {
        String::new()
    } else {
        native.to_string()
    }
}

/// Heads of delegation and VIPs first within a delegation; staff last.
fn rank(c: Category) -> u8 {
    match c {
        Category::Vip => 0,
        Category::HeadOfDelegation => 1,
        Category::Speaker => 2,
        Category::Delegate => 3,
        Category::Observer => 4,
        Category::Press => 5,
        Category::Interpreter => 6,
        Category::Staff => 7,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn badges(
    conn: &Connection,
    fonts: &Fonts,
    request: &PrintRequest,
    layout: BadgeLayout,
    selection: &Selection,
    offset: Offset,
    colors: &BTreeMap<Category, String>,
    today: NaiveDate,
) -> Result<Badges> {
    let only = match selection {
        Selection::Officials { ids } => Some(ids.as_slice()),
        _ => None,
    };
    let ctx = Ctx::load_only(conn, fonts, request, only)?;
    let printed: HashSet<String> = if *selection == Selection::NotPrinted {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT p.official_id FROM badge_print p
               JOIN official o ON o.id = p.official_id WHERE o.event_id = ?",
        )?;
        let ids = stmt
            .query_map([&ctx.event.id], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<HashSet<_>>>()?;
        ids
    } else {
        HashSet::new()
    };
    let rows: Vec<&OfficialRow> = match selection {
        Selection::Officials { ids } => {
            let by_id: HashMap<&str, &OfficialRow> = ctx
                .officials
                .iter()
                .map(|r| (r.official.id.as_str(), r))
                .collect();
            let mut rows = Vec::with_capacity(ids.len());
            let mut seen = HashSet::new();
            for id in ids {
                let row = by_id
                    .get(id.as_str())
                    .ok_or(Error::NotFound { entity: "official" })?;
                if seen.insert(id.as_str()) {
                    rows.push(*row);
                }
            }
            ctx.sort(&mut rows);
            rows
        }
        _ => ctx
            .present()
            .into_iter()
            .filter(|r| {
                let o = &r.official;
                match selection {
                    Selection::All | Selection::Officials { .. } => true,
                    Selection::Delegation { id } => o.delegation_id.as_deref() == Some(id),
                    Selection::Category { category } => o.category == *category,
                    Selection::NotPrinted => !printed.contains(&o.id),
                }
            })
            .collect(),
    };
    if let Selection::Delegation { id } = selection {
        if !ctx.delegations.contains_key(id) {
            return Err(Error::NotFound {
                entity: "delegation",
            });
        }
    }
    let mut badges = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        let o = &row.official;
        let whose = || official_label(row);
        let mut badge = ctx.person(row, true)?;
        let delegation = ctx.delegation_name(o);
        let organization = organization_beside(o, &delegation);
        ctx.extend(
            &mut badge,
            &whose,
            &[
                ("position", &o.position),
                ("organization", organization),
                ("delegation", &delegation),
            ],
        )?;
        badge.insert("category".into(), Value::from(o.category.as_str()));
        badge.insert(
            "color".into(),
            Value::from(colors.get(&o.category).cloned().unwrap_or_default()),
        );
        badges.push(Value::Object(badge));
        ids.push(o.id.clone());
    }
    let mut common = ctx.common(today, request.bilingual)?;
    if let Some(event) = common["event"].as_object() {
        let em = em_widths(&mut LineWidths::new(fonts), event, &[("name", true)]);
        common["event"]["em"] = em;
    }
    common["layout"] = Value::from(layout.as_str());
    common["offset"] = json!({"x": offset.x_mm, "y": offset.y_mm});
    Ok(Badges {
        common,
        badges,
        ids,
        per_page: layout.per_page(),
    })
}

/// A badge's lines and whether each is set in bold, as the badge template sets them.
pub(crate) const BADGE_LINES: &[(&str, bool)] = &[
    ("name", true),
    ("native", false),
    ("position", false),
    ("organization", false),
    ("delegation", true),
];

/// The widths in ems of those of `lines` whose width the engine knows (see [`LineWidths`]),
/// set in the fields' font list (`fontset`), for the template to size them without measuring.
pub(crate) fn em_widths(
    widths: &mut LineWidths<'_>,
    fields: &Map<String, Value>,
    lines: &[(&str, bool)],
) -> Value {
    let fontset = fields
        .get("fontset")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut em = Map::new();
    for (key, bold) in lines {
        let Some(text) = fields.get(*key).and_then(Value::as_str) else {
            continue;
        };
        if let Some(width) = widths.em(text, fontset, *bold) {
            em.insert((*key).into(), Value::from(width));
        }
    }
    Value::Object(em)
}

pub(crate) fn roster(
    conn: &Connection,
    fonts: &Fonts,
    request: &PrintRequest,
    today: NaiveDate,
) -> Result<Roster> {
    let ctx = Ctx::load(conn, fonts, request)?;
    let mut data = ctx.common(today, request.bilingual)?;
    let (template, rows) = match &request.document {
        Document::Badges { .. } => {
            return Err(Error::Internal("badges are not a list".into()));
        }
        Document::Participants => (PARTICIPANTS_TEMPLATE, participants(&ctx, &mut data)?),
        Document::Precedence => (
            seating::PRECEDENCE_TEMPLATE,
            seating::precedence(conn, &ctx, &mut data)?,
        ),
        Document::SignIn {
            session_id,
            blank_rows,
        } => (
            SIGNIN_TEMPLATE,
            signin(conn, &ctx, &mut data, session_id, *blank_rows)?,
        ),
        Document::Delegation { delegation_id } => (
            DELEGATION_TEMPLATE,
            delegation(conn, &ctx, &mut data, delegation_id.as_deref())?,
        ),
        Document::Rooming { hotel_id } => (
            ROOMING_TEMPLATE,
            rooming(conn, &ctx, &mut data, hotel_id.as_deref())?,
        ),
        Document::Arrivals => (
            BOARD_TEMPLATE,
            board(conn, &ctx, &mut data, Direction::Arrival)?,
        ),
        Document::Departures => (
            BOARD_TEMPLATE,
            board(conn, &ctx, &mut data, Direction::Departure)?,
        ),
        Document::Dispatch { day } => (
            transport::DISPATCH_TEMPLATE,
            transport::dispatch(conn, &ctx, &mut data, *day)?,
        ),
        Document::NameSigns { day } => (
            transport::NAMESIGNS_TEMPLATE,
            transport::namesigns(conn, &ctx, &mut data, *day)?,
        ),
        Document::Transport { day } => (
            transport::TRANSPORT_TEMPLATE,
            transport::plan(conn, &ctx, &mut data, *day)?,
        ),
        Document::Seating { session_id, a3 } => (
            seating::SEATING_TEMPLATE,
            seating::chart(conn, &ctx, &mut data, session_id, *a3)?,
        ),
        Document::Tables { session_id } => (
            seating::TABLES_TEMPLATE,
            seating::table_lists(conn, &ctx, &mut data, session_id)?,
        ),
        Document::PlaceCards { session_id } => (
            seating::PLACECARDS_TEMPLATE,
            seating::placecards(conn, &ctx, &mut data, session_id)?,
        ),
    };
    Ok(Roster {
        paged: template == PARTICIPANTS_TEMPLATE,
        template,
        data,
        rows,
    })
}

/// Officials grouped by delegation (in print order); officials without one are grouped by
/// organisation at the end.
fn groups<'r>(ctx: &Ctx<'_>, rows: &[&'r OfficialRow]) -> Vec<(String, Vec<&'r OfficialRow>)> {
    let mut out: Vec<(String, Vec<&OfficialRow>)> = Vec::new();
    let mut last_key: Option<(Option<String>, String)> = None;
    for row in rows {
        let o = &row.official;
        let key = (
            o.delegation_id.clone(),
            if o.delegation_id.is_some() {
                String::new()
            } else {
                o.organization.clone()
            },
        );
        if last_key.as_ref() != Some(&key) {
            out.push((ctx.delegation_name(o), Vec::new()));
            last_key = Some(key);
        }
        if let Some((_, group)) = out.last_mut() {
            group.push(row);
        }
    }
    out
}

/// A delegation's heading in a list: its title (checked against the fonts) and head-count.
fn group_heading(ctx: &Ctx<'_>, title: &str, count: usize) -> Result<Map<String, Value>> {
    let mut group = ctx.fields(&|| format!("the delegation {title}"), &[("title", title)])?;
    group.insert("count".into(), Value::from(count));
    Ok(group)
}

fn group_json(ctx: &Ctx<'_>, title: &str, rows: Vec<Value>) -> Result<Value> {
    let mut group = group_heading(ctx, title, rows.len())?;
    group.insert("rows".into(), Value::Array(rows));
    Ok(Value::Object(group))
}

/// The participant list is a paged list (`paged.rs`): its items in order, the column header
/// first, each group's heading before its rows, the total (or "nobody yet") last.
fn participants(ctx: &Ctx<'_>, data: &mut Value) -> Result<usize> {
    use super::paged::{widths, Column};
    let present = ctx.present();
    let columns = [
        Column::Mm(9.0),
        Column::Fr(1.5),
        Column::Fr(1.35),
        Column::Fr(1.35),
        Column::Fr(0.8),
    ];
    let mut out = vec![json!({ "kind": "head" })];
    let mut no = 0;
    for (title, rows) in groups(ctx, &present) {
        let mut group = group_heading(ctx, &title, rows.len())?;
        group.insert("kind".into(), Value::from("group"));
        out.push(Value::Object(group));
        for row in rows {
            no += 1;
            let o = &row.official;
            let mut item = ctx.person(row, false)?;
            ctx.extend(
                &mut item,
                &|| official_label(row),
                &[("position", &o.position), ("organization", &o.organization)],
            )?;
            item.insert("kind".into(), Value::from("row"));
            item.insert("no".into(), Value::from(no));
            item.insert("category".into(), Value::from(o.category.as_str()));
            out.push(Value::Object(item));
        }
    }
    out.push(json!({ "kind": if no == 0 { "none" } else { "total" } }));
    data["items"] = Value::Array(out);
    data["columns"] = json!(widths(&columns));
    data["total"] = Value::from(no);
    Ok(no)
}

fn signin(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    session_id: &str,
    blank_rows: usize,
) -> Result<usize> {
    let session: Session = Session::get(conn, session_id)?;
    if session.event_id != ctx.event.id {
        return Err(Error::NotFound { entity: "session" });
    }
    let roster: HashSet<String> = queries::participants(conn, session_id)?
        .into_iter()
        .map(|p| p.participant.official_id)
        .collect();
    let mut rows: Vec<&OfficialRow> = ctx
        .officials
        .iter()
        .filter(|r| {
            roster.contains(&r.official.id) && r.official.status != OfficialStatus::Cancelled
        })
        .collect();
    ctx.sort(&mut rows);
    let place = match &session.venue_room_id {
        Some(room_id) => {
            let room: VenueRoom = VenueRoom::get(conn, room_id)?;
            let venue: Venue = Venue::get(conn, &room.venue_id)?;
            let (room_name, venue_name) = if ctx.ko() {
                (
                    if room.name_ko.is_empty() {
                        room.name
                    } else {
                        room.name_ko
                    },
                    if venue.name_ko.is_empty() {
                        venue.name
                    } else {
                        venue.name_ko
                    },
                )
            } else {
                (room.name, venue.name)
            };
            format!("{room_name}, {venue_name}")
        }
        None => session.location.clone(),
    };
    let title = if ctx.ko() && !session.title_ko.is_empty() {
        &session.title_ko
    } else {
        &session.title_en
    };
    let start = session.starts_at;
    let when = format!(
        "{}, {}–{}",
        day_heading(ctx.date(start), ctx.lang),
        ctx.time(start),
        ctx.time(session.ends_at)
    );
    data["session"] = Value::Object(ctx.fields(
        &|| format!("the session {}", session.title_en),
        &[("title", title), ("when", &when), ("place", &place)],
    )?);
    let mut items = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let o = &row.official;
        let mut item = ctx.person(row, false)?;
        ctx.extend(
            &mut item,
            &|| official_label(row),
            &[
                ("delegation", &ctx.delegation_name(o)),
                ("position", &o.position),
            ],
        )?;
        item.insert("no".into(), Value::from(i + 1));
        items.push(Value::Object(item));
    }
    let n = items.len();
    data["rows"] = Value::Array(items);
    data["blank"] = Value::from(blank_rows.min(500));
    Ok(n)
}

/// One line per leg: "Mon 6 May 06:25 · VN416 HAN → ICN".
fn leg_text(ctx: &Ctx<'_>, t: &Travel) -> String {
    let when = format!(
        "{} {}",
        short_date(ctx.date(t.scheduled_at), ctx.lang),
        ctx.time(t.scheduled_at)
    );
    let route = match t.direction {
        Direction::Arrival => format!("{} → {}", t.origin, t.airport),
        Direction::Departure => format!("{} → {}", t.airport, t.origin),
    };
    format!("{when} · {} {route}", t.flight).trim().to_string()
}

pub(super) fn all_travel(conn: &Connection, ctx: &Ctx<'_>) -> Result<Vec<Travel>> {
    Ok(queries::travel(conn, &ctx.event.id, &ListQuery::default())?
        .rows
        .into_iter()
        .map(|r| r.travel)
        .collect())
}

pub(super) fn all_stays(conn: &Connection, ctx: &Ctx<'_>) -> Result<Vec<queries::StayRow>> {
    Ok(queries::stays(conn, &ctx.event.id, &ListQuery::default())?.rows)
}

pub(super) fn hotel_names(conn: &Connection, ctx: &Ctx<'_>) -> Result<HashMap<String, Hotel>> {
    Ok(queries::hotels(conn, &ctx.event.id)?
        .into_iter()
        .map(|h| (h.hotel.id.clone(), h.hotel))
        .collect())
}

pub(super) fn hotel_label(h: &Hotel, lang: Language) -> String {
    if lang == Language::Ko && !h.name_ko.is_empty() {
        h.name_ko.clone()
    } else {
        h.name.clone()
    }
}

fn delegation(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    only: Option<&str>,
) -> Result<usize> {
    if let Some(id) = only {
        if !ctx.delegations.contains_key(id) {
            return Err(Error::NotFound {
                entity: "delegation",
            });
        }
    }
    let travel = all_travel(conn, ctx)?;
    let mut legs: HashMap<&str, Vec<&Travel>> = HashMap::new();
    for t in &travel {
        legs.entry(t.official_id.as_str()).or_default().push(t);
    }
    let hotels = hotel_names(conn, ctx)?;
    let stays = all_stays(conn, ctx)?;
    let mut lodging: HashMap<&str, Vec<&queries::StayRow>> = HashMap::new();
    for s in &stays {
        lodging
            .entry(s.stay.official_id.as_str())
            .or_default()
            .push(s);
    }
    let present: Vec<&OfficialRow> = ctx
        .present()
        .into_iter()
        .filter(|r| match only {
            Some(id) => r.official.delegation_id.as_deref() == Some(id),
            None => r.official.delegation_id.is_some(),
        })
        .collect();
    let mut out = Vec::new();
    let mut total = 0;
    for (title, rows) in groups(ctx, &present) {
        let mut items = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let o = &row.official;
            let mine = legs.get(o.id.as_str()).cloned().unwrap_or_default();
            let leg = |dir: Direction| {
                mine.iter()
                    .filter(|t| t.direction == dir)
                    .map(|t| leg_text(ctx, t))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let hotel = lodging
                .get(o.id.as_str())
                .map(|stays| {
                    stays
                        .iter()
                        .map(|s| {
                            let name = hotels
                                .get(&s.stay.hotel_id)
                                .map(|h| hotel_label(h, ctx.lang))
                                .unwrap_or_else(|| s.hotel_name.clone());
                            let room = if s.stay.room_number.is_empty() {
                                String::new()
                            } else {
                                format!(" #{}", s.stay.room_number)
                            };
                            format!(
                                "{name}{room}\n{}–{}",
                                short_date(s.stay.check_in, ctx.lang),
                                short_date(s.stay.check_out, ctx.lang)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            let mut item = ctx.person(row, false)?;
            ctx.extend(
                &mut item,
                &|| official_label(row),
                &[
                    ("position", &o.position),
                    ("arrival", &leg(Direction::Arrival)),
                    ("departure", &leg(Direction::Departure)),
                    ("hotel", &hotel),
                ],
            )?;
            item.insert("no".into(), Value::from(i + 1));
            item.insert("category".into(), Value::from(o.category.as_str()));
            items.push(Value::Object(item));
        }
        total += items.len();
        let mut group = group_json(ctx, &title, items)?;
        if let Some(d) = rows.first().and_then(|r| ctx.delegation_of(&r.official)) {
            let head = d
                .head_official_id
                .as_ref()
                .and_then(|id| ctx.officials.iter().find(|r| &r.official.id == id))
                .map(|r| r.full_name.clone())
                .unwrap_or_default();
            let liaison = [&d.liaison_name, &d.liaison_phone, &d.liaison_email]
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" · ");
            if let Value::Object(map) = &mut group {
                ctx.extend(
                    map,
                    &|| format!("the delegation {title}"),
                    &[("head", &head), ("liaison", &liaison)],
                )?;
            }
        }
        out.push(group);
    }
    data["groups"] = Value::Array(out);
    Ok(total)
}

fn rooming(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    only: Option<&str>,
) -> Result<usize> {
    let hotels = queries::hotels(conn, &ctx.event.id)?;
    if let Some(id) = only {
        if !hotels.iter().any(|h| h.hotel.id == id) {
            return Err(Error::NotFound { entity: "hotel" });
        }
    }
    let stays = all_stays(conn, ctx)?;
    let by_id: HashMap<&str, &OfficialRow> = ctx
        .officials
        .iter()
        .map(|r| (r.official.id.as_str(), r))
        .collect();
    let mut out = Vec::new();
    let mut total = 0;
    for h in hotels
        .iter()
        .filter(|h| only.is_none_or(|id| h.hotel.id == id))
    {
        let hotel = &h.hotel;
        let mut mine: Vec<(&queries::StayRow, &OfficialRow)> = stays
            .iter()
            .filter(|s| s.stay.hotel_id == hotel.id)
            .filter_map(|s| by_id.get(s.stay.official_id.as_str()).map(|o| (s, *o)))
            .filter(|(_, o)| o.official.status != OfficialStatus::Cancelled)
            .collect();
        // Alphabetical by passport name, as a front desk looks guests up; room-mates are
        // side by side because each row names the other.
        mine.sort_by_cached_key(|(s, o)| (crate::text::fold(&o.full_name), s.stay.check_in));
        let mut items = Vec::with_capacity(mine.len());
        let mut nights_total = 0;
        for (i, (s, row)) in mine.iter().enumerate() {
            let o = &row.official;
            let nights = (s.stay.check_out - s.stay.check_in).num_days();
            nights_total += nights;
            let guest = match o.honorific.as_str() {
                "" => row.full_name.clone(),
                h => format!("{} {h}", row.full_name),
            };
            let requests = [s.stay.special_requests.as_str(), o.accessibility.as_str()]
                .iter()
                .filter(|t| !t.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("; ");
            let passport = if ctx.full_passport {
                o.passport_number.clone()
            } else {
                crate::export::mask_passport(&o.passport_number)
            };
            let mut item = ctx.fields(
                &|| official_label(row),
                &[
                    ("name", &guest),
                    ("passport", &passport),
                    ("delegation", &ctx.delegation_name(o)),
                    ("check_in", &short_date(s.stay.check_in, ctx.lang)),
                    ("check_out", &short_date(s.stay.check_out, ctx.lang)),
                    ("room_type", &s.room_type),
                    ("sharing", &s.shares_with_name),
                    ("requests", &requests),
                    ("room", &s.stay.room_number),
                ],
            )?;
            item.insert("no".into(), Value::from(i + 1));
            item.insert("nights".into(), Value::from(nights));
            items.push(Value::Object(item));
        }
        total += items.len();
        let name = hotel_label(hotel, ctx.lang);
        let mut group = ctx.fields(
            &|| format!("the hotel {}", hotel.name),
            &[
                ("title", &name),
                ("address", &hotel.address),
                ("phone", &hotel.phone),
                ("email", &hotel.email),
                ("contact", &hotel.contact_name),
            ],
        )?;
        group.insert("count".into(), Value::from(items.len()));
        group.insert("nights".into(), Value::from(nights_total));
        group.insert("rows".into(), Value::Array(items));
        out.push(Value::Object(group));
    }
    data["groups"] = Value::Array(out);
    Ok(total)
}

fn board(conn: &Connection, ctx: &Ctx<'_>, data: &mut Value, dir: Direction) -> Result<usize> {
    let hotels = hotel_names(conn, ctx)?;
    let stays = all_stays(conn, ctx)?;
    let mut hotel_of: HashMap<&str, Vec<&queries::StayRow>> = HashMap::new();
    for s in &stays {
        hotel_of
            .entry(s.stay.official_id.as_str())
            .or_default()
            .push(s);
    }
    let legs = queries::legs_in_order(all_travel(conn, ctx)?, &ctx.officials, dir);
    let mut days: Vec<(NaiveDate, Vec<Value>)> = Vec::new();
    for (t, row) in &legs {
        let day = ctx.date(t.scheduled_at);
        // The hotel the official sleeps at on the day of this leg: checking in on an
        // arrival day, checking out on a departure day.
        let hotel = hotel_of
            .get(t.official_id.as_str())
            .and_then(|stays| {
                stays
                    .iter()
                    .min_by_key(|s| match dir {
                        Direction::Arrival => (s.stay.check_in - day).num_days().abs(),
                        Direction::Departure => (s.stay.check_out - day).num_days().abs(),
                    })
                    .map(|s| {
                        hotels
                            .get(&s.stay.hotel_id)
                            .map(|h| hotel_label(h, ctx.lang))
                            .unwrap_or_else(|| s.hotel_name.clone())
                    })
            })
            .unwrap_or_default();
        let mut item = ctx.person(row, false)?;
        ctx.extend(
            &mut item,
            &|| official_label(row),
            &[
                ("time", &ctx.time(t.scheduled_at)),
                ("flight", &t.flight),
                ("origin", &t.origin),
                ("airport", &t.airport),
                ("delegation", &ctx.delegation_name(&row.official)),
                ("greeter", &t.greeter),
                ("hotel", &hotel),
                ("notes", &t.notes),
            ],
        )?;
        item.insert("pickup".into(), Value::from(t.pickup));
        match days.last_mut() {
            Some((d, rows)) if *d == day => rows.push(Value::Object(item)),
            _ => days.push((day, vec![Value::Object(item)])),
        }
    }
    data["direction"] = Value::from(dir.as_str());
    data["days"] = Value::Array(
        days.into_iter()
            .map(|(d, rows)| json!({"title": day_heading(d, ctx.lang), "count": rows.len(), "rows": rows}))
            .collect(),
    );
    Ok(legs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_follows_the_first_strong_character() {
        assert!(is_rtl("وزارة المالية (MoF)"));
        assert!(is_rtl("(1) محمد"));
        assert!(!is_rtl("MoF وزارة المالية"));
        assert!(!is_rtl("정현우"));
        assert!(!is_rtl(""));
    }
}
