//! Dashboard: the event's home screen. Headline numbers, counts, seats, the arrivals and
//! departures chart, rooms per night, needs for the caterer, and the problems the logistics
//! checks found, each with buttons that open the record concerned in its usual form.

import * as api from '../api.js';
import { h, mount, userText, markPainted } from '../dom.js';
import { t, say, getLanguage, localName, formatNumber, errorText } from '../i18n.js';
import { confirmDialog, deleteWithConfirm, showError, toast } from '../dialogs.js';
import { formatDate } from '../time.js';
import { loadCountries, loadOrganizations } from '../lookups.js';
import { editDelegation } from './delegations.js';
import { editOfficial } from './officials.js';
import { editTravel } from './travel.js';
import { editRoomBlock, editStay } from './hotels.js';
import { editVenueRoom } from './venues.js';
import { editSession } from './agenda.js';

const SVG = 'http://www.w3.org/2000/svg';
const SEVERITIES = ['error', 'warning', 'info'];
/** Problems listed per severity before "Show all": thousands of rows would bury the list. */
const PROBLEMS_SHOWN = 50;
/** "Open" buttons per problem; a big duplicate group or a declined delegation names many. */
const BUTTONS_SHOWN = 5;

/** The errors + warnings the tab badge shows. */
export function problemCount(data) {
  return (data.problems || []).filter((p) => p.severity === 'error' || p.severity === 'warning').length;
}

/**
 * ctx.onData(data) is called after every successful load (the workspace updates the tab badge).
 * Returns { reload, newRecord, focusSearch } like the other tabs.
 */
export function mountDashboard(panel, ctx) {
  const status = h('p', { class: 'dash-status muted', role: 'status' }, t('dash.loading'));
  const grid = h('div', { class: 'dash-grid' });
  const root = h('section', { id: 'dashboard', class: 'dashboard', 'aria-labelledby': 'dash-title', dataset: { state: 'loading' } },
    h('h2', { id: 'dash-title', class: 'visually-hidden' }, t('dash.title')),
    status, grid);
  panel.appendChild(root);
  let seq = 0;
  // Severities whose whole list the officer asked for; kept across reloads (every save reloads).
  const expanded = new Set();

  async function reload() {
    const my = ++seq;
    let data;
    let privacy = null;
    try {
      [data, privacy] = await Promise.all([
        api.eventDashboard(ctx.eventId),
        api.purgeStatus(ctx.eventId).catch(() => null),
      ]);
    } catch (err) {
      if (my !== seq || !root.isConnected) return;
      console.error(err);
      root.dataset.state = 'error';
      mount(status, h('span', { class: 'dash-error', role: 'alert' }, errorText(err)), ' ',
        h('button', { type: 'button', class: 'btn btn-small', id: 'dash-retry', onClick: reload }, t('dash.retry')));
      markPainted();
      return;
    }
    if (my !== seq || !root.isConnected) return; // a newer load is on its way, or the tab was left
    render(data, privacy);
    if (ctx.onData) ctx.onData(data);
  }

  function render(data, privacy) {
    // Keep the officer's place: the focused problem button survives the reload when it still exists.
    const focusKey = document.activeElement && root.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    status.replaceChildren();
    mount(grid,
      // An event with nobody in it yet: what to do next, instead of a page of empty cards.
      (data.officials ?? 0) === 0 && !(data.delegations_by_status || []).some((c) => c.count > 0)
        ? gettingStarted(ctx) : null,
      // Due for a purge: first, before anything else (PIPA Art. 21).
      privacy && privacy.due ? personalDataCard(ctx, privacy, reload) : null,
      headline(data),
      problemsCard(data.problems || [], openRecord, expanded),
      countCard('dash-delegations-status', t('dash.byDelegationStatus'), data.delegations_by_status, 'delegation_status'),
      countCard('dash-officials-status', t('dash.byOfficialStatus'), data.officials_by_status, 'official_status'),
      countCard('dash-category', t('dash.byCategory'), data.officials_by_category, 'category', t('dash.notCancelled')),
      countCard('dash-gender', t('dash.byGender'), data.officials_by_gender, 'gender', t('dash.notCancelled')),
      seatsCard(data.seats || []),
      needsCard('dash-diets', t('dash.diets'), t('dash.forCaterer'), data.diets || []),
      needsCard('dash-accessibility', t('dash.accessibility'), null, data.accessibility || []),
      movementsCard(data.movements || [], ctx.tz),
      // On the ground: the arrivals desk's statuses and the event's door, once in use.
      (data.arrivals_by_status || []).some((c) => c.key !== 'expected' && c.count > 0)
        ? countCard('dash-arrivals-status', t('dash.arrivalsStatus'), data.arrivals_by_status, 'travel_status') : null,
      (data.checked_in || []).some((c) => c.key === 'in' && c.count > 0)
        ? countCard('dash-checked-in', t('dash.checkedIn'), data.checked_in, 'checkin_state', t('dash.notCancelled')) : null,
      nightsCard(data.nights || []),
      privacy && !privacy.due ? personalDataCard(ctx, privacy, reload) : null);
    root.dataset.state = 'ready';
    if (focusKey) restoreFocus(focusKey);
    markPainted();
  }

  function restoreFocus(key) {
    const same = grid.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (same) { same.focus(); return; }
    // The problem was fixed: land on the list so the keyboard user is not thrown to the top.
    const list = grid.querySelector('#dash-problems-title');
    if (list) list.focus();
  }

  /** Fetch the record with its X_get and open the same form its tab uses. */
  async function openRecord(entity, id) {
    // Runs and vehicles are edited where they are planned: the On the ground tab.
    if (entity === 'transfer_run' || entity === 'vehicle') { ctx.openTab('ground'); return null; }
    let rec;
    try {
      rec = await withDisplayNames(entity, await api.getRecord(entity, id));
    } catch (err) {
      showError(err);
      if (err.code === 'not_found') reload();
      return;
    }
    const hooks = {
      // The save itself notifies the workspace (api.onDataChanged), which reloads this dashboard.
      onSaved: () => toast(t('toast.saved'), 'info'),
      remove: () => removeRecord(entity, rec),
    };
    switch (entity) {
      case 'official': return editOfficial(ctx, rec, hooks);
      case 'delegation': return editDelegation(ctx, rec, hooks);
      case 'session': return editSession(ctx, rec, hooks);
      case 'travel': return editTravel(ctx, rec, hooks);
      case 'stay': return editStay(ctx, rec, hooks);
      case 'room_block': return editRoomBlock(ctx, rec, hooks);
      case 'venue_room': return editVenueRoom(ctx, rec, hooks);
      default: return null;
    }
  }

  reload();
  return { reload, newRecord: () => {}, focusSearch: () => {} };
}

/* ---------- opening records from a problem ---------- */

const fullName = (o) => `${String(o.family_name || '').toUpperCase()} ${o.given_name || ''}`.trim();

async function officialName(id) {
  if (!id) return '';
  try { return fullName(await api.officialGet(id)); } catch { return ''; }
}

/** X_get returns the bare record; the forms' titles and pickers want the list rows' display names. */
async function withDisplayNames(entity, rec) {
  switch (entity) {
    case 'official':
      return { ...rec, full_name: fullName(rec) };
    case 'delegation': {
      const [countries, orgs] = await Promise.all([loadCountries(), loadOrganizations()]);
      const ref = rec.kind === 'organization' ? orgs.find((o) => o.code === rec.org_code) : countries.find((c) => c.code === rec.country_code);
      return {
        ...rec,
        display_name_en: rec.name_en || (ref && ref.name_en) || rec.org_code || rec.country_code || '',
        display_name_ko: rec.name_ko || (ref && ref.name_ko) || '',
        head_name: await officialName(rec.head_official_id),
      };
    }
    case 'travel':
      return { ...rec, full_name: await officialName(rec.official_id) };
    case 'stay': {
      const [name, hotel, sharer] = await Promise.all([
        officialName(rec.official_id), api.hotelGet(rec.hotel_id).catch(() => null), officialName(rec.shares_with_id)]);
      return { ...rec, full_name: name, hotel_name: hotel ? hotel.name : '', shares_with_name: sharer };
    }
    case 'room_block': {
      const hotel = await api.hotelGet(rec.hotel_id).catch(() => null);
      return { ...rec, hotel_name: hotel ? hotel.name : '' };
    }
    case 'venue_room': {
      const venue = await api.venueGet(rec.venue_id).catch(() => null);
      return { ...rec, venue_name: venue ? venue.name : '' };
    }
    default:
      return rec;
  }
}

function recordName(entity, rec) {
  switch (entity) {
    case 'official': return rec.full_name;
    case 'delegation': return localName(rec.display_name_en, rec.display_name_ko);
    case 'session': return localName(rec.title_en, rec.title_ko);
    case 'travel': return `${rec.full_name} ${rec.flight}`.trim();
    case 'stay': return `${rec.full_name} — ${rec.hotel_name}`;
    case 'room_block': return `${rec.hotel_name} — ${rec.room_type}`;
    case 'venue_room': return `${rec.venue_name} — ${localName(rec.name, rec.name_ko)}`;
    default: return '';
  }
}

/** The delete button of a form opened from the dashboard: the same confirmations as the tabs. */
async function removeRecord(entity, rec) {
  const name = recordName(entity, rec);
  const deleted = await deleteWithConfirm({
    name,
    message: entity === 'official' ? t('confirm.deleteOfficial', { name }) : null,
    remove: (cascade) => api.deleteRecord(entity, rec.id, cascade),
    cascadeMessage: entity === 'delegation' ? (n) => t('confirm.cascadeDelegation', { name, count: formatNumber(n) })
      : entity === 'venue_room' ? (n) => t('confirm.cascadeRoom', { name, count: formatNumber(n) }) : null,
  });
  if (deleted) toast(t('toast.deleted', { name }), 'info');
  return deleted;
}

/* ---------- cards ---------- */

function card(id, title, opts, ...content) {
  const titleId = `${id}-title`;
  return h('section', { class: `dash-card${opts.cls ? ` ${opts.cls}` : ''}`, id, 'aria-labelledby': titleId },
    h('header', { class: 'dash-card-head' },
      h('h3', { id: titleId, tabindex: opts.focusable ? '-1' : null }, title),
      opts.note ? h('span', { class: 'dash-note muted' }, opts.note) : null),
    content);
}

/** The fields a purge empties, in the order the officer reads them. */
const PURGED = ['passport_number', 'passport_expiry', 'birth_date', 'email', 'phone', 'dietary', 'accessibility', 'notes'];

/**
 * The event's personal data: what it still holds, when the dashboard reminds the officer to
 * purge it (days after the event, per event), and the purge itself after seeing what goes.
 */
function personalDataCard(ctx, p, reload) {
  const counts = new Map(p.plan.fields);
  const lines = PURGED.filter((f) => counts.get(f) > 0)
    .map((f) => h('li', null, t('purge.fieldCount', { field: t(`field.${f}`), n: formatNumber(counts.get(f)) })));
  if (p.plan.flights > 0) lines.push(h('li', null, t('purge.flights', { n: formatNumber(p.plan.flights) })));
  const days = h('input', {
    type: 'number', id: 'purge-reminder-days', min: '0', max: '3650', value: String(p.reminder_days),
    onChange: async () => {
      try { await api.purgeReminderSet(ctx.eventId, Number(days.value)); reload(); } catch (err) { showError(err); }
    },
  });
  async function purge() {
    const ok = await confirmDialog([
      h('p', null, t('purge.confirmIntro')),
      h('ul', { id: 'purge-what' }, lines.map((l) => l.cloneNode(true))),
      h('p', null, t('purge.confirmStays')),
      h('p', null, h('strong', null, t('purge.confirmFinal'))),
    ], { title: t('purge.title'), ok: t('purge.do') });
    if (!ok) return;
    try {
      const report = await api.purgeEvent(ctx.eventId);
      toast(t('purge.done', { backups: formatNumber(report.backups_purged), removed: formatNumber(report.backups_removed) }), 'info');
      reload();
    } catch (err) { showError(err); }
  }
  const cls = p.due ? 'dash-personal dash-personal-due' : 'dash-personal';
  const say = p.holds_personal_data
    ? (p.due ? t('purge.due', { date: formatDate(p.remind_on, getLanguage()) }) : t('purge.holds', { date: formatDate(p.remind_on, getLanguage()) }))
    : (p.purged_at ? t('purge.purgedOn', { date: formatDate(p.purged_at.slice(0, 10), getLanguage()) }) : t('purge.none'));
  return card('dash-personal', t('purge.cardTitle'), { cls },
    h('p', { id: 'purge-state', role: p.due ? 'alert' : null }, say),
    lines.length ? h('ul', { class: 'purge-list' }, lines) : null,
    h('div', { class: 'purge-actions' },
      p.holds_personal_data ? h('button', { type: 'button', class: p.due ? 'btn btn-danger' : 'btn', id: 'purge-open', onClick: purge }, t('purge.open')) : null,
      h('label', { class: 'inline-field' }, t('purge.remindAfter'), ' ', days, ' ', t('purge.days'))));
}

/** A scrolling area that keyboard users can reach and scroll. */
function scroller(label, ...content) {
  return h('div', { class: 'dash-scroll', tabindex: '0', role: 'region', 'aria-label': label }, content);
}

/** Where to begin with an empty event: its delegations, its officials, or a registration list. */
function gettingStarted(ctx) {
  const step = (tab, title, text) => h('li', null,
    h('button', { type: 'button', class: 'btn', 'data-start': tab, onClick: () => ctx.openTab && ctx.openTab(tab) }, title),
    h('span', { class: 'muted' }, ' ', text));
  return h('section', { class: 'dash-card dash-full dash-start', id: 'dash-start', 'aria-labelledby': 'dash-start-title' },
    h('h3', { id: 'dash-start-title' }, t('dash.start.title')),
    h('p', null, t('dash.start.intro')),
    h('ol', { class: 'dash-start-steps' },
      step('delegations', t('dash.start.delegations'), t('dash.start.delegationsHint')),
      step('import', t('dash.start.import'), t('dash.start.importHint')),
      step('officials', t('dash.start.officials'), t('dash.start.officialsHint'))));
}

function headline(data) {
  const deleg = Object.fromEntries((data.delegations_by_status || []).map((r) => [r.key, r.count]));
  // Declined and withdrawn delegations are out of the running: the ratio is confirmed out of
  // those still invited or confirmed, as the label says.
  const notDeclined = (deleg.confirmed || 0) + (deleg.invited || 0);
  const declined = (deleg.declined || 0) + (deleg.withdrawn || 0);
  const problems = data.problems || [];
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const stat = (key, label, value, note, cls = '') => h('div', { class: `dash-stat${cls}`, dataset: { stat: key } },
    h('span', { class: 'dash-stat-value' }, value),
    h('span', { class: 'dash-stat-label' }, label),
    note ? h('span', { class: 'dash-stat-note muted' }, note) : null);
  return h('section', { class: 'dash-card dash-headline', id: 'dash-headline', 'aria-label': t('dash.headline') },
    stat('officials', t('dash.officials'), formatNumber(data.officials ?? 0), t('dash.notCancelled')),
    stat('delegations', t('dash.delegations'),
      `${formatNumber(deleg.confirmed || 0)} / ${formatNumber(notDeclined)}`,
      t('dash.awaiting', { n: formatNumber(deleg.invited || 0), m: formatNumber(declined) })),
    stat('errors', t('dash.errors'), formatNumber(errors), t('dash.errorsNote'), errors ? ' has-errors' : ''),
    stat('warnings', t('dash.warnings'), formatNumber(warnings), t('dash.warningsNote'), warnings ? ' has-warnings' : ''));
}

function bar(value, max, cls = '') {
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${max > 0 ? Math.min(100, (value / max) * 100) : 0}%`;
  return h('span', { class: `bar${cls}`, 'aria-hidden': 'true' }, fill);
}

/** Counts per enumeration value: label, number, share bar. */
function countCard(id, title, rows = [], group, note = null) {
  const total = rows.reduce((a, r) => a + r.count, 0);
  const max = Math.max(0, ...rows.map((r) => r.count));
  return card(id, title, { note },
    h('table', { class: 'dash-table count-table' },
      h('caption', { class: 'visually-hidden' }, title),
      h('thead', { class: 'visually-hidden' }, h('tr', null,
        h('th', { scope: 'col' }, t('dash.value')), h('th', { scope: 'col' }, t('dash.count')), h('th', { scope: 'col' }, t('dash.share')))),
      h('tbody', null, rows.map((r) => h('tr', { dataset: { key: r.key } },
        h('th', { scope: 'row' }, t(`${group}.${r.key}`)),
        h('td', { class: 'num' }, formatNumber(r.count)),
        h('td', { class: 'bar-cell' }, bar(r.count, max, ` bar-${group}-${r.key}`),
          h('span', { class: 'visually-hidden' }, total ? `${Math.round((r.count / total) * 100)}%` : '0%'))))),
      h('tfoot', null, h('tr', null,
        h('th', { scope: 'row' }, t('dash.total')), h('td', { class: 'num' }, formatNumber(total)), h('td', null)))));
}

/** Seats 0 means no quota was set (as the checks and the Delegations tab read it), not zero seats. */
const overQuota = (s) => s.allotted > 0 && s.used > s.allotted;

function seatsCard(seats) {
  const over = seats.filter(overQuota).length;
  const title = t('dash.seats');
  const body = seats.length === 0 ? h('p', { class: 'empty-state' }, t('dash.noDelegations')) : scroller(title,
    h('table', { class: 'dash-table seats-table', id: 'dash-seats-table' },
      h('caption', { class: 'visually-hidden' }, title),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('col.delegation')),
        h('th', { scope: 'col', class: 'num' }, t('dash.used')),
        h('th', { scope: 'col', class: 'num' }, t('dash.allotted')),
        h('th', { scope: 'col', class: 'bar-cell' }, h('span', { class: 'visually-hidden' }, t('dash.share'))))),
      h('tbody', null, seats.map((s) => {
        const isOver = overQuota(s);
        const noQuota = s.allotted <= 0;
        return h('tr', { class: isOver ? 'over' : null, dataset: { id: s.delegation_id } },
          h('th', { scope: 'row' }, userText(localName(s.name_en, s.name_ko)),
            isOver ? h('span', { class: 'visually-hidden' }, ` (${t('dash.overQuota')})`) : null),
          h('td', { class: 'num' }, formatNumber(s.used)),
          h('td', { class: 'num' }, noQuota ? h('span', { class: 'muted' }, t('dash.noQuota')) : formatNumber(s.allotted)),
          h('td', { class: 'bar-cell' }, noQuota ? null : bar(s.used, Math.max(s.allotted, s.used), isOver ? ' bar-over' : '')));
      }))));
  return card('dash-seats', title, {
    cls: 'dash-wide',
    note: over ? t('dash.overCount', { n: formatNumber(over) }) : null,
  }, body);
}

/* ---------- arrivals and departures chart ---------- */

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const hourLabel = (hour) => `${String(hour).padStart(2, '0')}:00`;

function movementsCard(movements, tz) {
  const lang = getLanguage();
  const title = t('dash.movements');
  const note = t('dash.timesIn', { tz });
  if (movements.length === 0) {
    return card('dash-movements', title, { cls: 'dash-full', note }, h('p', { class: 'empty-state' }, t('dash.noMovements')));
  }
  const days = [];
  for (const m of movements) {
    let d = days[days.length - 1];
    if (!d || d.date !== m.date) { d = { date: m.date, hours: new Map(), arrivals: 0, departures: 0 }; days.push(d); }
    d.hours.set(m.hour, m);
    d.arrivals += m.arrivals;
    d.departures += m.departures;
  }
  const max = Math.max(1, ...movements.map((m) => Math.max(m.arrivals, m.departures)));
  const arrivals = movements.reduce((a, m) => a + m.arrivals, 0);
  const departures = movements.reduce((a, m) => a + m.departures, 0);
  const busiest = movements.reduce((b, m) => (m.arrivals + m.departures > b.arrivals + b.departures ? m : b), movements[0]);
  const dayName = (date) => formatDate(date, lang);
  const dayTotals = (day, date) => t('dash.dayTotals', { date, arrivals: formatNumber(day.arrivals), departures: formatNumber(day.departures) });

  // Geometry in viewBox units; the SVG scales to the card's width.
  const W = 1000; const left = 34; const right = 8; const plotH = 64; const dayGap = 22; const top = 20; const axisH = 16;
  const slot = (W - left - right) / 24;
  const barW = Math.max(2, slot / 2 - 3);
  const dayH = top + plotH + axisH + dayGap;
  const H = days.length * dayH;
  const y = (v) => top + plotH - (v / max) * plotH;

  const summary = t('dash.chartSummary', {
    days: formatNumber(days.length), arrivals: formatNumber(arrivals), departures: formatNumber(departures),
    busiest: t('dash.busiest', { date: dayName(busiest.date), hour: hourLabel(busiest.hour), n: formatNumber(busiest.arrivals + busiest.departures) }),
  });
  const chart = svg('svg', {
    class: 'movements-chart', id: 'movements-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary,
    preserveAspectRatio: 'xMinYMin meet', focusable: 'false',
  }, svg('title', {}, summary));
  // Only the SVG's own size is set (CSSOM, allowed by the CSP): one row of days at its natural height.
  chart.style.aspectRatio = `${W} / ${H}`;

  days.forEach((day, i) => {
    const g = svg('g', { class: 'chart-day', transform: `translate(0 ${i * dayH})`, 'data-date': day.date });
    g.appendChild(svg('text', { class: 'chart-day-label', x: 0, y: 12 }, dayTotals(day, formatDate(day.date, lang, true))));
    // Grid: baseline and the maximum.
    g.appendChild(svg('line', { class: 'chart-grid', x1: left, x2: W - right, y1: y(max), y2: y(max) }));
    g.appendChild(svg('line', { class: 'chart-axis', x1: left, x2: W - right, y1: y(0), y2: y(0) }));
    g.appendChild(svg('text', { class: 'chart-tick', x: left - 4, y: y(max) + 4, 'text-anchor': 'end' }, formatNumber(max)));
    g.appendChild(svg('text', { class: 'chart-tick', x: left - 4, y: y(0) + 4, 'text-anchor': 'end' }, '0'));
    for (let hour = 0; hour < 24; hour++) {
      const x0 = left + hour * slot;
      if (hour % 3 === 0) {
        g.appendChild(svg('text', { class: 'chart-tick', x: x0 + slot / 2, y: top + plotH + 13, 'text-anchor': 'middle' }, String(hour).padStart(2, '0')));
      }
      const m = day.hours.get(hour);
      if (!m) continue;
      for (const [kind, value, dx] of [['arrivals', m.arrivals, 1.5], ['departures', m.departures, slot / 2 + 0.5]]) {
        if (!value) continue;
        const tip = t('dash.barTitle', { date: dayName(day.date), hour: hourLabel(hour), kind: t(`dash.${kind}`), n: formatNumber(value) });
        g.appendChild(svg('rect', {
          class: `chart-bar chart-${kind}`, x: (x0 + dx).toFixed(1), y: y(value).toFixed(1), width: barW.toFixed(1),
          height: Math.max(1, y(0) - y(value)).toFixed(1), rx: 1.5,
        }, svg('title', {}, tip)));
      }
    }
    chart.appendChild(g);
  });

  const legend = h('ul', { class: 'chart-legend', 'aria-hidden': 'true' },
    h('li', null, h('span', { class: 'swatch swatch-arrivals' }), t('dash.arrivals'), ` (${formatNumber(arrivals)})`),
    h('li', null, h('span', { class: 'swatch swatch-departures' }), t('dash.departures'), ` (${formatNumber(departures)})`));

  const table = h('table', { class: 'visually-hidden', id: 'movements-table' },
    h('caption', null, `${title} (${note})`),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('dash.date')), h('th', { scope: 'col' }, t('dash.hour')),
      h('th', { scope: 'col' }, t('dash.arrivals')), h('th', { scope: 'col' }, t('dash.departures')))),
    h('tbody', null, days.map((day) => [
      ...[...day.hours.values()].map((m) => h('tr', null,
        h('td', null, dayName(m.date)), h('th', { scope: 'row' }, hourLabel(m.hour)),
        h('td', null, formatNumber(m.arrivals)), h('td', null, formatNumber(m.departures)))),
      h('tr', { class: 'day-total', dataset: { date: day.date } },
        h('td', null, dayName(day.date)), h('th', { scope: 'row' }, t('dash.dayTotal')),
        h('td', null, formatNumber(day.arrivals)), h('td', null, formatNumber(day.departures))),
    ])));

  return card('dash-movements', title, { cls: 'dash-full', note }, legend, h('div', { class: 'chart-wrap' }, chart), table);
}

/* ---------- rooms per night ---------- */

function nightsCard(nights) {
  const title = t('dash.nights');
  if (nights.length === 0) return card('dash-nights', title, { cls: 'dash-full' }, h('p', { class: 'empty-state' }, t('dash.noNights')));
  const hotels = [];
  for (const n of nights) {
    let hotel = hotels.find((x) => x.id === n.hotel_id);
    if (!hotel) { hotel = { id: n.hotel_id, name: localName(n.hotel_name, n.hotel_name_ko), rows: [] }; hotels.push(hotel); }
    hotel.rows.push(n);
  }
  const lang = getLanguage();
  const overNights = nights.filter((n) => n.used > n.held).length;
  return card('dash-nights', title, {
    cls: 'dash-full', note: overNights ? t('dash.overNights', { n: formatNumber(overNights) }) : null,
  }, h('div', { class: 'nights-hotels' }, hotels.map((hotel) => h('div', { class: 'hotel-nights', dataset: { hotel: hotel.id } },
    h('h4', null, userText(hotel.name, 'cell-text')),
    h('table', { class: 'dash-table nights-table' },
      h('caption', { class: 'visually-hidden' }, `${title}: ${hotel.name}`),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('dash.night')),
        h('th', { scope: 'col', class: 'num' }, t('dash.roomsUsed')),
        h('th', { scope: 'col', class: 'num' }, t('dash.roomsHeld')),
        h('th', { scope: 'col', class: 'bar-cell' }, h('span', { class: 'visually-hidden' }, t('dash.share'))))),
      h('tbody', null, hotel.rows.map((n) => {
        const over = n.used > n.held;
        return h('tr', { class: over ? 'over' : null, dataset: { date: n.date } },
          h('th', { scope: 'row' }, formatDate(n.date, lang),
            over ? h('span', { class: 'visually-hidden' }, ` (${t('dash.overBlock')})`) : null),
          h('td', { class: 'num' }, formatNumber(n.used)),
          h('td', { class: 'num' }, formatNumber(n.held)),
          h('td', { class: 'bar-cell' }, bar(n.used, Math.max(n.held, n.used), over ? ' bar-over' : '')));
      })))))));
}

/* ---------- needs ---------- */

function needsCard(id, title, note, rows) {
  return card(id, title, { note },
    rows.length === 0 ? h('p', { class: 'empty-state' }, t('dash.noNeeds')) : scroller(title,
      h('table', { class: 'dash-table needs-table' },
        h('caption', { class: 'visually-hidden' }, title),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('dash.need')), h('th', { scope: 'col', class: 'num' }, t('dash.people')))),
        h('tbody', null, rows.map((r) => h('tr', null,
          h('th', { scope: 'row' }, userText(r.key)),
          h('td', { class: 'num' }, formatNumber(r.count))))))));
}

/* ---------- problems ---------- */

/** A problem in the window's language, from the catalogue message the engine sent. */
function problemMessage(p) {
  return say(p.text) || p.message || '';
}

function problemsCard(problems, openRecord, expanded) {
  const title = t('dash.problems');
  // A focus key must name one button on the screen so that a reload puts the officer back
  // on it: the code and every record of the problem, and a running number for problems that
  // still look alike (one official with two problems of one code).
  const seenKeys = new Map();
  const keyed = problems.map((p) => {
    const records = Array.isArray(p.records) ? p.records : [];
    const base = `${p.code}|${records.map((r) => `${r.entity}:${r.id}`).join(',')}`;
    const n = seenKeys.get(base) || 0;
    seenKeys.set(base, n + 1);
    return { p, key: `${base}|${n}` };
  });
  const groups = SEVERITIES.map((sev) => ({ sev, items: keyed.filter((x) => x.p.severity === sev) }))
    .filter((g) => g.items.length);
  // Anything with an unexpected severity still shows, last.
  const other = keyed.filter((x) => !SEVERITIES.includes(x.p.severity));
  if (other.length) groups.push({ sev: 'other', items: other });

  const list = h('div', { id: 'problems', class: 'problems' },
    groups.length === 0
      ? h('p', { class: 'empty-state problems-empty', role: 'status' }, t('dash.noProblems'))
      : groups.map((g) => problemGroup(g, openRecord, expanded)));
  return card('dash-problems', title, {
    cls: problems.length ? 'dash-wide dash-tall' : 'dash-wide', focusable: true,
    note: problems.length ? t('dash.problemsNote', { n: formatNumber(problems.length) }) : null,
  }, scroller(title, list));
}

/** One severity's problems: the first PROBLEMS_SHOWN, then a button for the rest. */
function problemGroup(g, openRecord, expanded) {
  const label = g.sev === 'other' ? 'info' : g.sev;
  const item = (x, i) => problemItem(x.p, `${g.sev}-${i}`, x.key, openRecord);
  const all = expanded.has(g.sev) || g.items.length <= PROBLEMS_SHOWN;
  const ul = h('ul', { class: 'problem-list' }, (all ? g.items : g.items.slice(0, PROBLEMS_SHOWN)).map(item));
  const more = all ? null : h('button', {
    type: 'button', class: 'btn btn-small problems-more', dataset: { severity: g.sev },
    onClick: () => {
      expanded.add(g.sev);
      const rest = g.items.slice(PROBLEMS_SHOWN).map((x, i) => item(x, PROBLEMS_SHOWN + i));
      ul.append(...rest);
      // The button goes away: move focus to the first problem it revealed, not to the page top.
      rest[0].tabIndex = -1;
      rest[0].focus();
      more.remove();
    },
  }, t('dash.showAll', { n: formatNumber(g.items.length) }));
  return h('section', { class: `problem-group problem-group-${label}`, dataset: { severity: g.sev }, 'aria-labelledby': `problems-${g.sev}` },
    h('h4', { id: `problems-${g.sev}` }, t(`dash.group.${label}`, { n: formatNumber(g.items.length) })),
    ul, more);
}

function problemItem(p, key, focusKey, openRecord) {
  const message = problemMessage(p);
  const records = Array.isArray(p.records) ? p.records : [];
  const perEntity = new Map();
  for (const r of records) perEntity.set(r.entity, (perEntity.get(r.entity) || 0) + 1);
  const seen = new Map();
  const shown = records.slice(0, BUTTONS_SHOWN);
  const hidden = records.length - shown.length;
  const buttons = shown.map((r, i) => {
    const k = (seen.get(r.entity) || 0) + 1;
    seen.set(r.entity, k);
    const entity = t(`entity.${r.entity}`);
    const numbered = perEntity.get(r.entity) > 1;
    const label = numbered ? t('dash.openNumbered', { entity, n: k }) : t('dash.open', { entity });
    return h('button', {
      type: 'button', class: 'btn btn-small problem-open',
      dataset: { entity: r.entity, id: r.id, focusKey: `${focusKey}|${i}` },
      'aria-label': t('dash.openFor', { label, message }),
      onClick: () => openRecord(r.entity, r.id),
    }, label);
  });
  const actions = buttons.length ? h('span', { class: 'problem-actions' }, buttons,
    hidden > 0 ? h('span', { class: 'problem-more muted' }, t('dash.moreRecords', { n: formatNumber(hidden) })) : null) : null;
  return h('li', { class: `problem problem-${p.severity}`, dataset: { code: p.code, severity: p.severity, key } },
    h('span', { class: `chip chip-severity-${p.severity}` }, t(`severity.${p.severity}`)),
    h('span', { class: 'problem-message', dir: 'auto' }, message),
    actions);
}
