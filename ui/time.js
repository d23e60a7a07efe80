//! Instants travel as RFC 3339 UTC; officers read and type them in the event's time zone.
//! Zone arithmetic uses only Intl, so it follows the same tz database as the system.

const partsCache = new Map();

function partsFormatter(tz) {
  let f = partsCache.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz || 'UTC', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch {
      // An unknown zone should not stop the officer from working; show UTC instead.
      f = partsFormatter('UTC');
    }
    partsCache.set(tz, f);
  }
  return f;
}

/** Wall-clock fields of instant `ms` in zone `tz`. */
function wallParts(ms, tz) {
  const out = {};
  for (const p of partsFormatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

/** Offset of `tz` from UTC at instant `ms`, in milliseconds (positive east of Greenwich). */
function zoneOffset(ms, tz) {
  const base = Math.floor(ms / 1000) * 1000;
  const p = wallParts(base, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - base;
}

const DAY = 86400000;
const pad = (n, w = 2) => String(n).padStart(w, '0');

function parseInstant(iso) {
  if (!iso) return NaN;
  return Date.parse(iso);
}

/** "2024-05-07T00:00:00Z" → "2024-05-07T09:00" for Asia/Seoul (for <input type=datetime-local>). */
export function toLocalInput(isoUtc, tz) {
  const ms = parseInstant(isoUtc);
  if (Number.isNaN(ms)) return '';
  const p = wallParts(ms, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * "2024-05-07T09:00" in `tz` → "2024-05-07T00:00:00Z". The offset is computed at a first guess
 * and again at the corrected instant, which settles correctly on both sides of a DST change.
 */
export function fromLocalInput(str, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(str || '');
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  let t = wall - zoneOffset(wall, tz);
  t = wall - zoneOffset(t, tz);
  // Around a DST change a wall time can be ambiguous (clocks fall back) or skipped (spring
  // forward). Like Temporal's "compatible" choice: the earlier of two readings, and a skipped
  // time moved forward by the size of the gap.
  const before = wall - zoneOffset(wall - DAY, tz);
  const after = wall - zoneOffset(wall + DAY, tz);
  const matches = [t, before, after].filter((x) => zoneOffset(x, tz) === wall - x);
  t = matches.length ? Math.min(...matches) : Math.max(before, after);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const locale = (lang) => (lang === 'ko' ? 'ko-KR' : 'en-GB');
const fmtCache = new Map();
function formatter(lang, tz, opts) {
  const key = `${lang}|${tz}|${JSON.stringify(opts)}`;
  let f = fmtCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale(lang), { ...opts, timeZone: tz || 'UTC' });
    } catch {
      f = new Intl.DateTimeFormat(locale(lang), { ...opts, timeZone: 'UTC' });
    }
    fmtCache.set(key, f);
  }
  return f;
}

/** An instant as the officer reads it: date and time in the event zone (`short` drops the year). */
export function formatInstant(iso, tz, lang, short = false) {
  const ms = parseInstant(iso);
  if (Number.isNaN(ms)) return '';
  return formatter(lang, tz, {
    year: short ? undefined : 'numeric', month: 'short', day: 'numeric', weekday: 'short',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(ms);
}

/** Only the time of day ("09:30") in the event zone. */
export function formatTime(iso, tz, lang) {
  const ms = parseInstant(iso);
  if (Number.isNaN(ms)) return '';
  return formatter(lang, tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/** The calendar day ("YYYY-MM-DD") an instant falls on in the event zone, for grouping. */
export function dayKey(iso, tz) {
  const local = toLocalInput(iso, tz);
  return local ? local.slice(0, 10) : '';
}

/** A calendar date "YYYY-MM-DD" (no zone involved) in the officer's language. */
export function formatDate(date, lang, long = false) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  if (!m) return date || '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const opts = long
    ? { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' }
    : { year: 'numeric', month: 'short', day: 'numeric' };
  return formatter(lang, 'UTC', opts).format(ms);
}

export function formatDateRange(start, end, lang) {
  if (!start && !end) return '';
  if (!end || start === end) return formatDate(start, lang);
  return `${formatDate(start, lang)} – ${formatDate(end, lang)}`;
}

/** IANA zones known to this system, for the event form. */
export function timeZones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Seoul', 'UTC'];
  }
}

export function systemTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Seoul';
  } catch {
    return 'Asia/Seoul';
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A date as officers type it, as `YYYY-MM-DD`: `2025-09-24`, `2025.09.24`, `2025/9/24`,
 * `20250924`, `24/09/2025` and `24.09.2025` (day first, as outside the US), `24/09` and
 * `9월 24일` (in `year`), `2025년 9월 24일`, `Sep 24, 2025`, `24 Sep 2025`. '' for nothing typed;
 * null for text that is not a date (or a day the month does not have).
 */
export function parseTypedDate(text, year = new Date().getFullYear()) {
  const s = String(text || '').trim().toLowerCase().replace(/\s+/g, ' ');
  if (!s) return '';
  let y; let m; let d; let r;
  if ((r = /^(\d{4})[-./ ](\d{1,2})[-./ ](\d{1,2})\.?$/.exec(s))) [y, m, d] = [+r[1], +r[2], +r[3]];
  else if ((r = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) [y, m, d] = [+r[1], +r[2], +r[3]];
  else if ((r = /^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$/.exec(s))) [y, m, d] = [+r[3], +r[2], +r[1]];
  else if ((r = /^(\d{1,2})[./](\d{1,2})\.?$/.exec(s))) [y, m, d] = [year, +r[2], +r[1]];
  else if ((r = /^(?:(\d{4}) ?년 ?)?(\d{1,2}) ?월 ?(\d{1,2}) ?일?$/.exec(s))) [y, m, d] = [r[1] ? +r[1] : year, +r[2], +r[3]];
  else if ((r = /^([a-z]{3})[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(s))) [y, m, d] = [+r[3], MONTHS.indexOf(r[1]) + 1, +r[2]];
  else if ((r = /^(\d{1,2}) ([a-z]{3})[a-z]*\.?,? (\d{4})$/.exec(s))) [y, m, d] = [+r[3], MONTHS.indexOf(r[2]) + 1, +r[1]];
  else return null;
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2200) return null;
  const at = new Date(Date.UTC(y, m - 1, d));
  if (at.getUTCMonth() !== m - 1) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}
