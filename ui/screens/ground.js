//! On the ground: the arrivals desk (who has landed, been met, reached the hotel), the transfer
//! runs with their passengers and the planner, the vehicles, and check-in by scanning badges
//! (a USB or Bluetooth scanner types the badge's QR code and Enter, like a keyboard).

import * as api from '../api.js';
import { DEFAULTS, ENUMS } from '../generated.js';
import { h, mount, userText } from '../dom.js';
import { t, enumOptions, formatNumber, getLanguage, localName, errorText } from '../i18n.js';
import { listView } from '../listview.js';
import { chip } from '../table.js';
import { openForm } from '../form.js';
import { showError, toast, confirmDialog } from '../dialogs.js';
import { formatDate, formatTime, formatInstant, dayKey } from '../time.js';
import { officialSearch } from '../lookups.js';
import { mountSubTabs } from './subtabs.js';

export function mountGround(panel, ctx) {
  return mountSubTabs(panel, ctx, 'ground', [
    { key: 'desk', label: 'sub.desk', mount: mountDesk },
    { key: 'runs', label: 'sub.runs', mount: mountRuns },
    { key: 'vehicles', label: 'sub.vehicles', mount: mountVehicles },
    { key: 'checkin', label: 'sub.checkin', mount: mountCheckin },
  ]);
}

const noop = { newRecord: () => {}, focusSearch: () => {} };

/** A local date (YYYY-MM-DD) in words. */
const dayWords = (d) => formatDate(d, getLanguage(), true);

// ---------------------------------------------------------------------------------------------
// The arrivals desk

function mountDesk(host, ctx) {
  let direction = 'arrival';
  let day = null;
  let board = null;
  const dirButtons = ['arrival', 'departure'].map((d) => h('button', {
    type: 'button', class: 'btn', id: `desk-${d}`, 'aria-pressed': String(d === direction),
    onClick: () => { direction = d; day = null; load(); },
  }, t(d === 'arrival' ? 'desk.arrivals' : 'desk.departures')));
  const daySel = h('select', { id: 'desk-day', 'aria-label': t('desk.day'), onChange: () => { day = daySel.value || null; load(); } });
  const counts = h('div', { class: 'desk-counts', id: 'desk-counts', role: 'status' });
  const body = h('div', { class: 'desk-body', id: 'desk-body' });
  host.appendChild(h('div', { class: 'ground desk' },
    h('div', { class: 'toolbar' }, h('div', { class: 'segmented', role: 'group' }, dirButtons), daySel,
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted small' }, t('desk.keys')),
      h('button', { type: 'button', class: 'btn', id: 'desk-refresh', onClick: () => load() }, t('action.refresh'))),
    counts, body));

  const steps = () => ENUMS.travel_status.filter((s) => (direction === 'arrival'
    ? ['expected', 'landed', 'met', 'at_hotel'] : ['expected', 'left_hotel', 'at_airport']).includes(s));

  async function load(focusTravel = null) {
    try {
      board = await api.deskBoard(ctx.eventId, direction, day);
    } catch (err) { showError(err); return; }
    for (const b of dirButtons) b.setAttribute('aria-pressed', String(b.id === `desk-${direction}`));
    day = board.day;
    mount(daySel, board.days.map((d) => h('option', { value: d, selected: d === board.day }, dayWords(d))));
    daySel.disabled = board.days.length === 0;
    paintCounts();
    if (!board.rows.length) {
      mount(body, h('p', { class: 'empty' }, t(direction === 'arrival' ? 'desk.noArrivals' : 'desk.noDepartures')));
      return;
    }
    const rows = board.rows.map((r) => row(r));
    mount(body, h('table', { class: 'data-table desk-table', id: 'desk-table' },
      h('thead', null, h('tr', null, ['desk.time', 'field.flight', 'col.official', 'col.delegation', 'desk.run', 'field.greeter', 'desk.status']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, rows)));
    const again = focusTravel && body.querySelector(`tr[data-travel="${CSS.escape(focusTravel)}"]`);
    if (again) again.focus();
  }

  function paintCounts() {
    mount(counts, board.counts.map(([status, n]) => h('span', { class: `desk-count chip chip-travel_status-${status}`, dataset: { status } },
      t(`travel_status.${status}`), ' ', h('strong', null, formatNumber(n)))));
  }

  function row(r) {
    const button = h('button', {
      type: 'button', class: `btn btn-small status-btn chip-travel_status-${r.status}`, dataset: { status: r.status },
      title: t('desk.next'), tabindex: '-1',
      onClick: (e) => step(r, e.shiftKey ? -1 : 1),
    }, t(`travel_status.${r.status}`));
    const tr = h('tr', {
      tabindex: '0', dataset: { travel: r.travel_id, status: r.status },
      onKeydown: (e) => {
        if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowRight') { e.preventDefault(); step(r, 1); }
        else if (e.key === 'Backspace' || e.key === 'ArrowLeft') { e.preventDefault(); step(r, -1); }
        else if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
        else if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
      },
    },
    h('td', { class: 'col-time' }, h('strong', null, r.time)),
    h('td', null, userText(r.flight), r.origin ? h('span', { class: 'muted small' }, ` ${r.origin}`) : null),
    h('td', null, userText(r.name), r.native_name && r.native_name !== r.name ? h('div', { class: 'muted small' }, userText(r.native_name)) : null),
    h('td', null, userText(r.delegation)),
    h('td', null, r.run ? userText(r.run) : h('span', { class: r.pickup ? 'warn-text' : 'muted' }, r.pickup ? t('desk.noRun') : '—')),
    h('td', null, userText(r.greeter)),
    h('td', null, button));
    return tr;
  }

  async function step(r, by) {
    const list = steps();
    const next = list[list.indexOf(r.status) + by];
    if (!next) return;
    try {
      await api.deskSetStatus(r.travel_id, next);
    } catch (err) { showError(err); return; }
    await load(r.travel_id);
  }

  load();
  return noop;
}

// ---------------------------------------------------------------------------------------------
// Vehicles

function mountVehicles(host, ctx) {
  const view = listView({
    caption: () => t('sub.vehicles'),
    newLabel: 'new.vehicle',
    newId: 'vehicle-new',
    columns: [
      { key: 'name', label: 'field.name', sortable: true },
      { key: 'kind', label: 'field.kind', sortable: true, render: (r) => chip('vehicle_kind', r.kind) },
      { key: 'seats', label: 'field.vehicle_seats', sortable: true, cls: 'num', render: (r) => userText(formatNumber(r.seats)) },
      { key: 'plate', label: 'field.plate', sortable: true },
      { key: 'driver_name', label: 'field.driver_name', sortable: true },
      { key: 'driver_phone', label: 'field.driver_phone' },
    ],
    load: () => api.vehicleList(ctx.eventId),
    searchText: (r) => [r.name, r.plate, r.driver_name, r.driver_phone].join(' '),
    defaultSort: { key: 'name', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.vehicleDelete(r.id, cascade),
    rowName: (r) => r.name,
    emptyText: () => t('empty.vehicles'),
  });
  host.appendChild(view.el);
  view.refresh();
  function edit(row) {
    openForm({
      title: row ? t('form.editNamed', { name: row.name }) : t('new.vehicle'),
      record: row || { ...DEFAULTS.vehicle, event_id: ctx.eventId },
      fields: [
        { name: 'name', required: true },
        { name: 'kind', type: 'select', options: enumOptions('vehicle_kind') },
        { name: 'seats', label: 'field.vehicle_seats', type: 'number', min: 1 },
        { name: 'plate', label: 'field.plate' },
        { name: 'driver_name', label: 'field.driver_name' },
        { name: 'driver_phone', label: 'field.driver_phone', type: 'tel' },
        { name: 'available_from', label: 'field.available_from', type: 'datetime', nullable: true },
        { name: 'available_to', label: 'field.available_to', type: 'datetime', nullable: true },
        { name: 'notes', type: 'textarea' },
      ],
      tz: ctx.tz,
      save: api.vehicleSave,
      onSaved: () => { toast(t('toast.saved'), 'info'); view.refresh(); },
      remove: row ? () => view.remove(row) : null,
    });
  }
  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

// ---------------------------------------------------------------------------------------------
// Transfer runs and the planner

function mountRuns(host, ctx) {
  let day = '';
  let runs = [];
  const daySel = h('select', { id: 'runs-day', 'aria-label': t('desk.day'), onChange: () => { day = daySel.value; paint(); } });
  const list = h('div', { class: 'runs-list', id: 'runs-list' });
  host.appendChild(h('div', { class: 'ground runs' },
    h('div', { class: 'toolbar' }, daySel, h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'btn', id: 'runs-settings', onClick: () => editSettings() }, t('runs.settings')),
      h('button', { type: 'button', class: 'btn', id: 'runs-new', onClick: () => editRun(null) }, '+ ', t('new.run')),
      h('button', { type: 'button', class: 'btn btn-primary', id: 'runs-plan', onClick: () => openPlanner() }, t('runs.plan'))),
    list));

  async function load() {
    try { runs = await api.runList(ctx.eventId, null); } catch (err) { showError(err); return; }
    const days = [...new Set(runs.map((r) => dayKey(r.leaves_at, ctx.tz)))].sort();
    if (day && !days.includes(day)) day = '';
    mount(daySel, h('option', { value: '' }, t('runs.allDays')), days.map((d) => h('option', { value: d, selected: d === day }, dayWords(d))));
    paint();
  }

  function paint() {
    const shown = runs.filter((r) => !day || dayKey(r.leaves_at, ctx.tz) === day);
    if (!shown.length) {
      mount(list, h('p', { class: 'empty' }, t('empty.runs')));
      return;
    }
    mount(list, shown.map((r) => card(r)));
  }

  function card(r) {
    const seats = r.vehicle ? r.vehicle.seats : null;
    const riding = r.passengers.filter((p) => p.person.status !== 'cancelled').length;
    const over = seats !== null && riding > seats;
    const others = runs.filter((o) => o.id !== r.id && o.kind === r.kind);
    return h('section', { class: `run-card${over ? ' run-over' : ''}`, dataset: { run: r.id } },
      h('header', { class: 'run-head' },
        h('strong', { class: 'run-time' }, formatInstant(r.leaves_at, ctx.tz, getLanguage(), true)),
        chip('run_kind', r.kind),
        h('span', { class: 'run-route' }, userText(`${r.from_place || '—'} → ${r.to_place || '—'}`)),
        h('span', { class: 'spacer' }),
        h('span', { class: over ? 'warn-text' : 'muted' }, seats === null ? t('runs.noVehicle') : `${r.vehicle.name} · ${t('runs.riding', { n: riding, seats })}`),
        h('button', { type: 'button', class: 'btn btn-small', onClick: () => addPassenger(r) }, '+ ', t('runs.addPassenger')),
        h('button', { type: 'button', class: 'btn btn-small', onClick: () => editRun(r) }, t('action.edit'))),
      h('ul', { class: 'run-passengers' }, r.passengers.map((p) => h('li', { class: p.person.status === 'cancelled' ? 'cancelled' : '' },
        h('span', { class: 'run-who' }, userText(p.person.name), p.flight ? h('span', { class: 'muted small' }, ` ${p.flight}`) : null,
          h('span', { class: 'muted small' }, ` · ${localName(p.person.delegation, p.person.delegation_ko)}`)),
        others.length ? h('select', {
          class: 'run-move', 'aria-label': t('runs.moveTo', { name: p.person.name }),
          onChange: async (e) => {
            if (!e.target.value) return;
            try { await api.passengerMove(p.id, e.target.value); } catch (err) { showError(err); }
            load();
          },
        }, h('option', { value: '' }, t('runs.move')), others.map((o) => h('option', { value: o.id },
          `${formatInstant(o.leaves_at, ctx.tz, getLanguage(), true)} ${o.vehicle ? o.vehicle.name : ''} ${o.to_place}`.trim()))) : null,
        h('button', {
          type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': t('runs.removeNamed', { name: p.person.name }),
          onClick: async () => {
            try { await api.passengerRemove(p.id); } catch (err) { showError(err); }
            load();
          },
        }, '×')))));
  }

  async function addPassenger(r) {
    openForm({
      title: t('runs.addPassenger'),
      record: { official_id: '' },
      fields: [{ name: 'official_id', label: 'col.official', type: 'lookup', required: true, search: officialSearch(ctx.eventId), wide: true }],
      save: (rec) => api.passengerAdd(r.id, rec.official_id),
      onSaved: () => load(),
    });
  }

  async function editRun(row) {
    let vehicles = [];
    let sessions = [];
    try { [vehicles, sessions] = await Promise.all([api.vehicleList(ctx.eventId), api.sessionList(ctx.eventId)]); } catch (err) { showError(err); return; }
    const record = row ? { ...row } : { ...DEFAULTS.transfer_run, event_id: ctx.eventId };
    delete record.vehicle; delete record.passengers;
    openForm({
      title: row ? t('form.editNamed', { name: formatInstant(row.leaves_at, ctx.tz, getLanguage(), true) }) : t('new.run'),
      record,
      fields: [
        { name: 'kind', type: 'select', options: enumOptions('run_kind') },
        { name: 'leaves_at', label: 'field.leaves_at', type: 'datetime', required: true },
        { name: 'from_place', label: 'field.from_place' },
        { name: 'to_place', label: 'field.to_place' },
        { name: 'airport' },
        { name: 'vehicle_id', label: 'field.vehicle', type: 'select', nullable: true, placeholder: 'runs.noVehicle', options: vehicles.map((v) => ({ value: v.id, label: `${v.name} (${v.seats})` })) },
        { name: 'session_id', label: 'field.session', type: 'select', nullable: true, placeholder: 'form.none', options: sessions.map((s) => ({ value: s.id, label: localName(s.title_en, s.title_ko) })), visibleIf: (v) => v.kind === 'session' },
        { name: 'greeter' },
        { name: 'notes', type: 'textarea' },
      ],
      tz: ctx.tz,
      save: api.runSave,
      onSaved: () => { toast(t('toast.saved'), 'info'); load(); },
      remove: row ? async () => {
        if (!(await confirmDialog(t('runs.confirmDelete', { n: row.passengers.length })))) return false;
        try { await api.runDelete(row.id, true); } catch (err) { showError(err); return false; }
        load();
        return true;
      } : null,
    });
  }

  async function editSettings() {
    let settings;
    try { settings = await api.transportSettingsGet(); } catch (err) { showError(err); return; }
    openForm({
      title: t('runs.settings'),
      record: settings,
      fields: [
        { name: 'margin_minutes', label: 'field.margin_minutes', type: 'number', min: 0, max: 600 },
        { name: 'trip_minutes', label: 'field.trip_minutes', type: 'number', min: 1, max: 600 },
      ],
      save: async (rec) => { await api.transportSettingsSave(rec); return rec; },
      onSaved: () => toast(t('toast.saved'), 'info'),
    });
  }

  async function openPlanner() {
    let sessions = [];
    try { sessions = await api.sessionList(ctx.eventId); } catch (err) { showError(err); return; }
    const dlg = document.getElementById('ground-dialog');
    const what = h('select', { id: 'plan-what' },
      h('option', { value: 'pickups' }, t('plan.pickups')),
      h('option', { value: 'departures' }, t('plan.departures')),
      sessions.map((s) => h('option', { value: `session:${s.id}` }, `${t('plan.session')}: ${localName(s.title_en, s.title_ko)}`)));
    const windowInput = h('input', { type: 'number', id: 'plan-window', min: '0', max: '600', value: '45' });
    const lead = h('input', { type: 'number', id: 'plan-lead', min: '0', max: '720', value: '180' });
    const alone = h('input', { type: 'checkbox', id: 'plan-alone' });
    const preview = h('div', { class: 'plan-preview', id: 'plan-preview', 'aria-live': 'polite' });
    const apply = h('button', { type: 'button', class: 'btn btn-primary', id: 'plan-apply', disabled: true, onClick: () => save() }, t('plan.apply'));
    const request = () => {
      const v = what.value;
      return {
        what: v.startsWith('session:') ? { kind: 'session', session_id: v.slice(8) } : { kind: v },
        window_minutes: Number(windowInput.value) || 0,
        lead_minutes: Number(lead.value) || 0,
        alone: alone.checked,
      };
    };
    async function propose() {
      apply.disabled = true;
      let runs;
      try { runs = await api.transportPlan(ctx.eventId, request()); } catch (err) { mount(preview, h('p', { class: 'error-text' }, errorText(err))); return; }
      if (!runs.length) { mount(preview, h('p', { class: 'empty' }, t('plan.nothing'))); return; }
      const people = runs.reduce((n, r) => n + r.legs.length, 0);
      mount(preview,
        h('p', null, t('plan.summary', { runs: runs.length, people })),
        h('table', { class: 'data-table' },
          h('thead', null, h('tr', null, ['desk.time', 'field.airport', 'field.vehicle', 'runs.ridingHead'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, runs.map((r) => h('tr', null,
            h('td', null, formatInstant(r.leaves_at, ctx.tz, getLanguage(), true)),
            h('td', null, userText(r.airport || r.to_place)),
            h('td', null, r.vehicle ? userText(r.vehicle) : h('span', { class: 'warn-text' }, t('runs.noVehicle'))),
            h('td', null, `${r.legs.length} / ${r.seats}`))))));
      apply.disabled = false;
    }
    async function save() {
      apply.disabled = true;
      try {
        const n = await api.transportApply(ctx.eventId, request());
        dlg.close();
        toast(t('plan.saved', { n }), 'info');
        load();
      } catch (err) { showError(err); apply.disabled = false; }
    }
    for (const el of [what, windowInput, lead, alone]) el.addEventListener('change', propose);
    mount(dlg, h('form', { method: 'dialog', class: 'plan-form', onSubmit: (e) => { e.preventDefault(); propose(); } },
      h('h2', { id: 'plan-title' }, t('plan.title')),
      h('div', { class: 'form-grid' },
        h('label', { class: 'field field-wide' }, h('span', null, t('plan.what')), what),
        h('label', { class: 'field' }, h('span', null, t('plan.window')), windowInput),
        h('label', { class: 'field' }, h('span', null, t('plan.lead')), lead),
        h('label', { class: 'field-check' }, alone, h('span', null, t('plan.alone')))),
      preview,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'button', class: 'btn', id: 'plan-cancel', onClick: () => dlg.close() }, t('action.cancel')),
        apply)));
    dlg.setAttribute('aria-labelledby', 'plan-title');
    dlg.showModal();
    what.focus();
    propose();
  }

  load();
  return { newRecord: () => editRun(null), focusSearch: () => {} };
}

// ---------------------------------------------------------------------------------------------
// Check-in

/** Short tones for the desk: the officer hears the answer without looking. */
let audio = null;
function beep(kind) {
  try {
    audio = audio || new AudioContext();
    const tones = { ok: [[880, 0.12]], again: [[660, 0.08], [660, 0.08]], bad: [[220, 0.35]] }[kind];
    let at = audio.currentTime;
    for (const [freq, length] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + length);
      at += length + 0.06;
    }
  } catch { /* no sound device: the colour says it */ }
}

const TONE = { 'checked-in': 'ok', already: 'again', 'not-on-roster': 'bad', cancelled: 'bad', unknown: 'bad', 'other-event': 'bad' };

function mountCheckin(host, ctx) {
  let target = { kind: 'event' };
  const recent = [];
  const targetSel = h('select', { id: 'checkin-target', 'aria-label': t('checkin.what'), onChange: () => pick() });
  const code = h('input', {
    type: 'text', id: 'checkin-code', class: 'checkin-code', autocomplete: 'off', spellcheck: 'false',
    placeholder: t('checkin.placeholder'), 'aria-label': t('checkin.code'),
    onKeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); scan(code.value); } },
  });
  const counts = h('div', { class: 'checkin-counts', id: 'checkin-counts', role: 'status' });
  const result = h('div', { class: 'checkin-result', id: 'checkin-result', 'aria-live': 'assertive' }, t('checkin.ready'));
  const history = h('ol', { class: 'checkin-recent', id: 'checkin-recent' });
  host.appendChild(h('div', { class: 'ground checkin' },
    h('div', { class: 'toolbar' }, h('label', null, h('span', null, t('checkin.what')), ' ', targetSel), h('span', { class: 'spacer' }), counts),
    code, result,
    h('h3', { class: 'checkin-recent-title' }, t('checkin.recent')), history));

  async function fill() {
    let sessions = [];
    let runs = [];
    try { [sessions, runs] = await Promise.all([api.sessionList(ctx.eventId), api.runList(ctx.eventId, null)]); } catch (err) { showError(err); }
    mount(targetSel,
      h('option', { value: 'event' }, t('checkin.event')),
      sessions.length ? h('optgroup', { label: t('checkin.sessions') }, sessions.map((s) => h('option', { value: `session:${s.id}` },
        `${formatInstant(s.starts_at, ctx.tz, getLanguage(), true)} ${localName(s.title_en, s.title_ko)}`))) : null,
      runs.length ? h('optgroup', { label: t('checkin.runs') }, runs.map((r) => h('option', { value: `run:${r.id}` },
        `${formatInstant(r.leaves_at, ctx.tz, getLanguage(), true)} ${r.vehicle ? r.vehicle.name : ''} → ${r.to_place}`))) : null);
    pick();
  }

  async function pick() {
    const v = targetSel.value || 'event';
    target = v === 'event' ? { kind: 'event' } : { kind: v.split(':')[0], id: v.split(':')[1] };
    recent.length = 0;
    mount(history);
    mount(result, t('checkin.ready'));
    result.className = 'checkin-result';
    try { showCounts(await api.checkinCounts(ctx.eventId, target)); } catch (err) { showError(err); }
    code.focus();
  }

  function showCounts(c) {
    counts.dataset.checked = String(c.checked);
    counts.dataset.expected = String(c.expected);
    mount(counts, h('strong', null, formatNumber(c.checked)), ` ${t('checkin.of', { n: formatNumber(c.expected) })}`);
  }

  async function scan(text, admit = null) {
    if (!admit && !text.trim()) return;
    code.value = '';
    let s;
    try {
      s = admit ? await api.checkinAdmit(ctx.eventId, target, admit) : await api.checkinScan(ctx.eventId, target, text);
    } catch (err) { showError(err); code.focus(); return; }
    beep(TONE[s.outcome]);
    showCounts(s.counts);
    const time = s.at ? formatTime(s.at, ctx.tz, getLanguage()) : '';
    result.className = `checkin-result outcome-${s.outcome}`;
    result.dataset.outcome = s.outcome;
    mount(result,
      h('div', { class: 'checkin-verdict' }, t(`checkin.outcome.${s.outcome}`, { time })),
      s.name ? h('div', { class: 'checkin-name' }, userText(s.badge_name || s.name)) : null,
      s.delegation ? h('div', { class: 'checkin-delegation' }, userText(s.delegation)) : null,
      s.outcome === 'not-on-roster' ? h('button', {
        type: 'button', class: 'btn btn-primary', id: 'checkin-add', onClick: () => scan('', s.official_id),
      }, t('checkin.add')) : null);
    if (s.outcome === 'checked-in') {
      const entry = { id: s.official_id, name: s.name, time };
      recent.unshift(entry);
      paintRecent();
    }
    code.focus();
  }

  function paintRecent() {
    mount(history, recent.slice(0, 12).map((e) => h('li', null,
      h('span', { class: 'muted' }, e.time), ' ', h('span', { dir: 'auto' }, e.name), ' ',
      h('button', {
        type: 'button', class: 'btn btn-quiet btn-small checkin-undo', 'aria-label': t('checkin.undoNamed', { name: e.name }),
        onClick: async () => {
          try { showCounts(await api.checkinUndo(ctx.eventId, target, e.id)); } catch (err) { showError(err); return; }
          recent.splice(recent.indexOf(e), 1);
          paintRecent();
          result.className = 'checkin-result';
          mount(result, t('checkin.undone', { name: e.name }));
          code.focus();
        },
      }, t('checkin.undo')))));
  }

  fill();
  return { newRecord: () => {}, focusSearch: () => code.focus() };
}
