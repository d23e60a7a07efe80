//! SQLite's changeset format, read and written: what the session extension records is read
//! op by op (to find each change's event, and to apply only what the merge rules let through)
//! and the changes that pass are written back in the same format for `apply`. The format is
//! SQLite's documented one (sqlite3session.h, "changeset format"); a test checks that what
//! this module writes is byte for byte what the extension wrote.

use crate::error::{Error, Result};
use crate::words::Text;

/// One value of a changeset record. `Undefined` is a column an UPDATE did not touch.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Undefined,
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    pub fn is_defined(&self) -> bool {
        !matches!(self, Value::Undefined)
    }

    /// The value as the change log's JSON shows it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Undefined | Value::Null | Value::Blob(_) => serde_json::Value::Null,
            Value::Integer(n) => (*n).into(),
            Value::Real(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(s) => s.clone().into(),
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a bound SQL parameter.
    pub fn to_sql(&self) -> rusqlite::types::Value {
        use rusqlite::types::Value as V;
        match self {
            Value::Undefined | Value::Null => V::Null,
            Value::Integer(n) => V::Integer(*n),
            Value::Real(x) => V::Real(*x),
            Value::Text(s) => V::Text(s.clone()),
            Value::Blob(b) => V::Blob(b.clone()),
        }
    }

    pub fn from_sql(value: rusqlite::types::ValueRef<'_>) -> Value {
        use rusqlite::types::ValueRef as V;
        match value {
            V::Null => Value::Null,
            V::Integer(n) => Value::Integer(n),
            V::Real(x) => Value::Real(x),
            V::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            V::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

/// What a change does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Insert,
    Update,
    Delete,
}

impl Op {
    fn code(self) -> u8 {
        match self {
            Op::Insert => 18,
            Op::Update => 23,
            Op::Delete => 9,
        }
    }
}

/// One change to one row: the old record (DELETE, UPDATE) and the new one (INSERT, UPDATE),
/// one value per column of the table, in the table's column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub op: Op,
    pub indirect: bool,
    pub old: Vec<Value>,
    pub new: Vec<Value>,
}

impl Change {
    /// The row's id: our tables' primary key is their first column, `id`.
    pub fn id(&self) -> Option<&str> {
        let record = if self.op == Op::Insert {
            &self.new
        } else {
            &self.old
        };
        record.first().and_then(Value::as_text)
    }

    /// The value a column has after the change (the new one where the change sets it, else
    /// the old one), or `None` when the change does not say.
    pub fn value(&self, column: usize) -> Option<&Value> {
        [self.new.get(column), self.old.get(column)]
            .into_iter()
            .flatten()
            .find(|v| v.is_defined())
    }
}

/// The changes to one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableChanges {
    pub table: String,
    /// One flag per column: part of the primary key.
    pub pk: Vec<bool>,
    pub changes: Vec<Change>,
}

fn corrupt() -> Error {
    Error::Sync {
        code: "bundle_damaged",
        text: Text::new("error-sync-bundle_damaged"),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).ok_or_else(corrupt)?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or_else(corrupt)?;
        let out = self.bytes.get(self.at..end).ok_or_else(corrupt)?;
        self.at = end;
        Ok(out)
    }

    /// SQLite's varint: big-endian groups of seven bits, the high bit saying "more"; the
    /// ninth byte, if any, carries eight.
    fn varint(&mut self) -> Result<u64> {
        let mut v: u64 = 0;
        for i in 0..9 {
            let b = self.byte()?;
            if i == 8 {
                return Ok((v << 8) | u64::from(b));
            }
            v = (v << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt())
    }

    fn value(&mut self) -> Result<Value> {
        Ok(match self.byte()? {
            0 => Value::Undefined,
            5 => Value::Null,
            1 => Value::Integer(i64::from_be_bytes(
                self.take(8)?.try_into().map_err(|_| corrupt())?,
            )),
            2 => Value::Real(f64::from_be_bytes(
                self.take(8)?.try_into().map_err(|_| corrupt())?,
            )),
            3 => {
                let n = self.varint()? as usize;
                let text = std::str::from_utf8(self.take(n)?).map_err(|_| corrupt())?;
                Value::Text(text.to_string())
            }
            4 => {
                let n = self.varint()? as usize;
                Value::Blob(self.take(n)?.to_vec())
            }
            _ => return Err(corrupt()),
        })
    }

    fn record(&mut self, columns: usize) -> Result<Vec<Value>> {
        (0..columns).map(|_| self.value()).collect()
    }
}

/// Reads a changeset into its tables and changes.
pub fn parse(bytes: &[u8]) -> Result<Vec<TableChanges>> {
    let mut r = Reader { bytes, at: 0 };
    let mut tables: Vec<TableChanges> = Vec::new();
    while r.at < bytes.len() {
        let code = r.byte()?;
        if code == b'T' {
            let columns = r.varint()? as usize;
            if columns == 0 || columns > 1000 {
                return Err(corrupt());
            }
            let pk = r.take(columns)?.iter().map(|&b| b != 0).collect();
            let end = r.bytes[r.at..]
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(corrupt)?;
            let table = std::str::from_utf8(r.take(end)?)
                .map_err(|_| corrupt())?
                .to_string();
            r.byte()?;
            tables.push(TableChanges {
                table,
                pk,
                changes: Vec::new(),
            });
            continue;
        }
        let table = tables.last_mut().ok_or_else(corrupt)?;
        let columns = table.pk.len();
        let op = match code {
            18 => Op::Insert,
            23 => Op::Update,
            9 => Op::Delete,
            _ => return Err(corrupt()),
        };
        let indirect = r.byte()? != 0;
        let old = if op == Op::Insert {
            vec![Value::Undefined; columns]
        } else {
            r.record(columns)?
        };
        let new = if op == Op::Delete {
            vec![Value::Undefined; columns]
        } else {
            r.record(columns)?
        };
        table.changes.push(Change {
            op,
            indirect,
            old,
            new,
        });
    }
    Ok(tables)
}

fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v <= 0x7f {
        out.push(v as u8);
        return;
    }
    if v > 0x00ff_ffff_ffff_ffff {
        // Nine bytes: eight groups of seven, then a whole byte.
        let mut groups = [0u8; 9];
        groups[8] = v as u8;
        let mut rest = v >> 8;
        for g in groups[..8].iter_mut().rev() {
            *g = (rest as u8 & 0x7f) | 0x80;
            rest >>= 7;
        }
        out.extend_from_slice(&groups);
        return;
    }
    let mut groups = Vec::with_capacity(9);
    let mut rest = v;
    while rest > 0 {
        groups.push((rest & 0x7f) as u8);
        rest >>= 7;
    }
    for (i, g) in groups.iter().enumerate().rev() {
        out.push(if i == 0 { *g } else { g | 0x80 });
    }
}

fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Undefined => out.push(0),
        Value::Null => out.push(5),
        Value::Integer(n) => {
            out.push(1);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Value::Real(x) => {
            out.push(2);
            out.extend_from_slice(&x.to_be_bytes());
        }
        Value::Text(s) => {
            out.push(3);
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Blob(b) => {
            out.push(4);
            put_varint(out, b.len() as u64);
            out.extend_from_slice(b);
        }
    }
}

/// One value in the changeset's encoding (a field kept after its row was deleted).
pub fn value_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    put_value(&mut out, value);
    out
}

pub fn value_from_bytes(bytes: &[u8]) -> Result<Value> {
    Reader { bytes, at: 0 }.value()
}

/// A whole row in the changeset's encoding (a row kept while its parent is gone).
pub fn row_bytes(values: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        put_value(&mut out, v);
    }
    out
}

pub fn row_from_bytes(bytes: &[u8], columns: usize) -> Result<Vec<Value>> {
    Reader { bytes, at: 0 }.record(columns)
}

/// Writes tables of changes as a changeset; a table without changes is left out.
pub fn encode(tables: &[TableChanges]) -> Vec<u8> {
    let mut out = Vec::new();
    for table in tables.iter().filter(|t| !t.changes.is_empty()) {
        out.push(b'T');
        put_varint(&mut out, table.pk.len() as u64);
        out.extend(table.pk.iter().map(|&k| u8::from(k)));
        out.extend_from_slice(table.table.as_bytes());
        out.push(0);
        for change in &table.changes {
            out.push(change.op.code());
            out.push(u8::from(change.indirect));
            if change.op != Op::Insert {
                for v in &change.old {
                    put_value(&mut out, v);
                }
            }
            if change.op != Op::Delete {
                for v in &change.new {
                    put_value(&mut out, v);
                }
            }
        }
    }
    out
}

/// What a changeset may inflate to, so that a crafted bundle cannot exhaust memory.
const MAX_UNPACKED: u64 = 1 << 30;

/// A changeset as kept and sent: deflated (a change of thousands of rows repeats its column
/// values and ids; stored so, a bundle is written without compressing anything again).
pub fn pack(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into memory cannot fail.
    let _ = deflate.write_all(bytes);
    deflate.finish().unwrap_or_default()
}

pub fn unpack(packed: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(packed)
        .take(MAX_UNPACKED)
        .read_to_end(&mut out)
        .map_err(|_| corrupt())?;
    Ok(out)
}

/// The changes in order, cut into changesets of at most `size` row changes each.
pub fn pieces(tables: &[TableChanges], size: usize) -> Vec<Vec<TableChanges>> {
    let mut out: Vec<Vec<TableChanges>> = Vec::new();
    let mut current: Vec<TableChanges> = Vec::new();
    let mut n = 0;
    for table in tables {
        for chunk in table.changes.chunks(size.max(1)) {
            let mut rest = chunk;
            while !rest.is_empty() {
                let take = rest.len().min(size.max(1) - n);
                current.push(TableChanges {
                    table: table.table.clone(),
                    pk: table.pk.clone(),
                    changes: rest[..take].to_vec(),
                });
                n += take;
                rest = &rest[take..];
                if n == size.max(1) {
                    out.push(std::mem::take(&mut current));
                    n = 0;
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// How many row changes a changeset holds.
pub fn count(tables: &[TableChanges]) -> usize {
    tables.iter().map(|t| t.changes.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::session::Session;
    use rusqlite::Connection;

    #[test]
    fn varints_read_back() {
        for v in [0u64, 1, 127, 128, 300, 16_383, 16_384, 1 << 40, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut r = Reader { bytes: &out, at: 0 };
            assert_eq!(r.varint().expect("varint"), v, "{v}");
            assert_eq!(r.at, out.len());
        }
    }

    /// What the session extension records, read here and written back, is the same bytes;
    /// and what is read is what was written (every value type, long text, NULLs, an UPDATE
    /// of some columns, a DELETE).
    #[test]
    fn round_trips_what_the_session_extension_writes() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, x REAL, s TEXT, b BLOB);
             INSERT INTO t VALUES ('gone', 1, 1.0, 'a', NULL), ('kept', 2, 2.0, 'b', x'00');",
        )
        .expect("schema");
        let mut session = Session::new(&conn).expect("session");
        session.attach(None::<&str>).expect("attach");
        let long = "명".repeat(300);
        conn.execute(
            "INSERT INTO t VALUES ('new', -5, 0.25, ?1, x'0102')",
            [&long],
        )
        .expect("insert");
        conn.execute("UPDATE t SET s = 'changed', n = NULL WHERE id = 'kept'", [])
            .expect("update");
        conn.execute("DELETE FROM t WHERE id = 'gone'", [])
            .expect("delete");
        let mut bytes = Vec::new();
        session.changeset_strm(&mut bytes).expect("changeset");
        let tables = parse(&bytes).expect("parse");
        assert_eq!(encode(&tables), bytes);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].pk, vec![true, false, false, false, false]);
        let find = |op: Op| {
            tables[0]
                .changes
                .iter()
                .find(|c| c.op == op)
                .expect("change")
                .clone()
        };
        let insert = find(Op::Insert);
        assert_eq!(insert.id(), Some("new"));
        assert_eq!(insert.new[1], Value::Integer(-5));
        assert_eq!(insert.new[2], Value::Real(0.25));
        assert_eq!(insert.new[3], Value::Text(long));
        assert_eq!(insert.new[4], Value::Blob(vec![1, 2]));
        let update = find(Op::Update);
        assert_eq!(update.old[0], Value::Text("kept".into()));
        assert_eq!(update.old[2], Value::Undefined);
        assert_eq!(update.new[1], Value::Null);
        assert_eq!(update.new[3], Value::Text("changed".into()));
        assert_eq!(find(Op::Delete).old[3], Value::Text("a".into()));
        // A damaged changeset is refused, not read as garbage.
        assert!(parse(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn pieces_keep_every_change_in_order() {
        let change = |n: i64| Change {
            op: Op::Insert,
            indirect: false,
            old: vec![Value::Undefined],
            new: vec![Value::Integer(n)],
        };
        let tables: Vec<TableChanges> = [("a", 5), ("b", 1), ("c", 7)]
            .iter()
            .scan(0, |next, (name, count)| {
                let changes = (0..*count).map(|_| {
                    *next += 1;
                    change(*next)
                });
                Some(TableChanges {
                    table: name.to_string(),
                    pk: vec![true],
                    changes: changes.collect(),
                })
            })
            .collect();
        let pieces = pieces(&tables, 4);
        assert_eq!(pieces.len(), 4);
        assert!(pieces.iter().all(|p| count(p) <= 4));
        let flat: Vec<(String, Value)> = pieces
            .iter()
            .flatten()
            .flat_map(|t| {
                t.changes
                    .iter()
                    .map(|c| (t.table.clone(), c.new[0].clone()))
            })
            .collect();
        let want: Vec<(String, Value)> = tables
            .iter()
            .flat_map(|t| {
                t.changes
                    .iter()
                    .map(|c| (t.table.clone(), c.new[0].clone()))
            })
            .collect();
        assert_eq!(flat, want);
    }
}
