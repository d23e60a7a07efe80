//! Itineraries & exports tab: each official's itinerary (PDF or iCalendar) for one official, one
//! delegation or everyone, and the event's tables as CSV or an XLSX workbook. The engine makes
//! the files; the backend asks where to save them through the system's dialogs.

import * as api from '../api.js';
import { h, mount, userText, debounce } from '../dom.js';
import { t, getLanguage, formatNumber, localName } from '../i18n.js';
import { showError, toast } from '../dialogs.js';
import { officialSearch, delegationOptions } from '../lookups.js';

const WHO = ['official', 'delegation', 'all'];
const ITINERARY_FORMATS = ['pdf', 'ics'];
const TABLES = ['officials', 'delegations', 'rooming', 'roster', 'arrivals', 'departures', 'diets', 'meals', 'letters', 'all'];
// The combined workbook: every table but the roster, which belongs to one session at a time.
const WORKBOOK_TABLES = TABLES.filter((x) => x !== 'all' && x !== 'roster');

// The choices of the last event shown, so that visiting another tab (or switching the UI
// language, which redraws the window) does not reset what the officer picked.
let remembered = null;

export function mountOutput(panel, ctx) {
  if (!remembered || remembered.eventId !== ctx.eventId) {
    remembered = {
      eventId: ctx.eventId,
      who: 'official', official: '', officialLabel: '', delegation: '', itinFormat: 'pdf',
      table: 'officials', hotel: '', session: '', sheetFormat: 'xlsx', headers: null, fullPassport: false,
    };
  }
  const state = remembered;
  // Typed again for each export, never kept.
  const zipPassword = h('input', { type: 'password', id: 'export-zip-password', autocomplete: 'new-password' });
  const zipRepeat = h('input', { type: 'password', id: 'export-zip-repeat', autocomplete: 'new-password' });
  let lists = { delegations: [], sessions: [], hotels: [] };

  // Itineraries ----------------------------------------------------------------------------
  const itinOptions = h('div', { class: 'print-options', id: 'itin-options' });
  const itinProgress = h('progress', { id: 'itin-progress', max: '1', value: '0', hidden: true });
  const itinStatus = h('p', { class: 'muted output-status', id: 'itin-status', role: 'status' });
  const itinSave = h('button', { type: 'button', class: 'btn btn-primary', id: 'itin-save', onClick: saveItineraries }, t('output.save'));

  // Spreadsheets ---------------------------------------------------------------------------
  const sheetOptions = h('div', { class: 'print-options', id: 'export-options' });
  const sheetStatus = h('p', { class: 'muted output-status', id: 'export-status', role: 'status' });
  const sheetSave = h('button', { type: 'button', class: 'btn btn-primary', id: 'export-save', onClick: saveExport }, t('output.save'));

  panel.appendChild(h('div', { class: 'output' },
    h('section', { class: 'output-section', id: 'output-itineraries', 'aria-labelledby': 'itin-title' },
      h('h2', { id: 'itin-title', class: 'section-title' }, t('output.itin.title')),
      h('p', { class: 'muted' }, t('output.itin.intro')),
      h('div', { class: 'print-side' },
        itinOptions,
        h('div', { class: 'toolbar' }, itinSave),
        itinProgress, itinStatus)),
    h('section', { class: 'output-section', id: 'output-exports', 'aria-labelledby': 'export-title' },
      h('h2', { id: 'export-title', class: 'section-title' }, t('output.sheet.title')),
      h('p', { class: 'muted' }, t('output.sheet.intro')),
      h('div', { class: 'print-side' },
        sheetOptions,
        h('div', { class: 'toolbar' }, sheetSave),
        sheetStatus))));

  paintItinerary();
  paintSheet();
  (async () => {
    try {
      const [delegations, sessions, hotels, full] = await Promise.all([
        api.delegationList(ctx.eventId), api.sessionList(ctx.eventId), api.hotelList(ctx.eventId),
        api.settingGet('full_passport.export'),
      ]);
      lists = { delegations, sessions, hotels };
      // The officer's last choice for exports, remembered by the library (issue 17).
      state.fullPassport = full === '1';
      // A remembered choice may have been deleted since; fall back to the first one.
      if (!delegations.some((d) => d.id === state.delegation)) state.delegation = '';
      if (!sessions.some((x) => x.id === state.session)) state.session = '';
      if (!hotels.some((x) => x.id === state.hotel)) state.hotel = '';
    } catch (err) { showError(err); }
    if (!panel.isConnected) return;
    paintItinerary();
    paintSheet();
  })();

  /** A labelled <select>; `values` is [[value, text, disabled?]]. */
  function select(id, label, values, current, onChange) {
    const el = h('select', { id, onChange: () => onChange(el.value) },
      values.map(([v, text, disabled]) => h('option', { value: v, selected: v === current, disabled: Boolean(disabled) }, text)));
    return h('div', { class: 'field' }, h('label', { for: id }, t(label)), el);
  }

  /** The official picker: a filter box searching the event's officials, above a select. */
  function officialPicker() {
    const id = 'itin-official';
    const label = t('output.official');
    const el = h('select', { id, onChange: () => { state.official = el.value; state.officialLabel = el.selectedOptions[0] ? el.selectedOptions[0].text : ''; } });
    let seq = 0;
    const fill = (options, searched = true) => {
      const list = options.slice();
      // The chosen official stays chosen while the filter shows others.
      if (state.official && !list.some((o) => o.value === state.official)) list.unshift({ value: state.official, label: state.officialLabel });
      if (!state.official && list[0]) { state.official = list[0].value; state.officialLabel = list[0].label; }
      // "No match" only once a search has answered, not while the first one runs.
      el.replaceChildren(...(list.length || !searched
        ? list.map((o) => h('option', { value: o.value, selected: o.value === state.official }, o.label))
        : [h('option', { value: '', disabled: true }, t('output.noOfficials'))]));
    };
    const run = async (q) => {
      const my = ++seq;
      try {
        const options = await officialSearch(ctx.eventId)(q);
        if (my === seq) fill(options);
      } catch (err) { showError(err); }
    };
    const filter = h('input', {
      type: 'search', id: 'itin-official-filter', class: 'lookup-filter', autocomplete: 'off',
      'aria-label': t('form.filterFor', { field: label }), placeholder: t('form.typeToFilter'),
      onInput: debounce((e) => run(e.target.value), 150),
    });
    fill([], false);
    run('');
    return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'lookup' }, filter, el));
  }

  function paintItinerary() {
    const parts = [
      select('itin-who', 'output.who', WHO.map((w) => [w, t(`output.who.${w}`)]), state.who, (v) => { state.who = v; paintItinerary(); }),
    ];
    if (state.who === 'official') parts.push(officialPicker());
    if (state.who === 'delegation') {
      const options = delegationOptions(lists.delegations);
      if (!state.delegation && options[0]) state.delegation = options[0].value;
      parts.push(select('itin-delegation', 'output.delegation', options.map((o) => [o.value, o.label]), state.delegation, (v) => { state.delegation = v; }));
    }
    parts.push(select('itin-format', 'output.format', ITINERARY_FORMATS.map((f) => [f, t(`output.format.${f}`)]), state.itinFormat, (v) => { state.itinFormat = v; }));
    if (state.who !== 'official') parts.push(h('p', { class: 'muted', id: 'itin-hint' }, t(`output.itin.folderHint.${state.who}`)));
    mount(itinOptions, parts);
  }

  function itineraryScope() {
    if (state.who === 'official') return state.official ? { kind: 'official', id: state.official } : null;
    if (state.who === 'delegation') return state.delegation ? { kind: 'delegation', id: state.delegation } : null;
    return { kind: 'all' };
  }

  async function saveItineraries() {
    const scope = itineraryScope();
    if (!scope) { toast(t(state.who === 'official' ? 'output.chooseOfficial' : 'output.chooseDelegation')); return; }
    itinSave.disabled = true;
    mount(itinStatus, t('output.making'));
    const onProgress = (done, total) => {
      itinProgress.hidden = false;
      itinProgress.max = String(Math.max(1, total));
      itinProgress.value = String(done);
      itinStatus.textContent = t('output.progress', { done: formatNumber(done), total: formatNumber(total) });
    };
    try {
      const saved = await api.itinerarySave({ event_id: ctx.eventId, scope, format: state.itinFormat }, onProgress);
      itinProgress.hidden = true;
      if (!saved) { itinStatus.textContent = ''; return; }
      toast(t('output.itinSaved', { n: formatNumber(saved.files) }), 'info');
      showSaved(itinStatus, 'itin-open', saved.files === 1 && scope.kind === 'official' ? t('output.savedTo') : t('output.savedFolder', { n: formatNumber(saved.files) }), saved);
    } catch (err) {
      itinProgress.hidden = true;
      itinStatus.textContent = '';
      showError(err);
    } finally {
      itinSave.disabled = false;
    }
  }

  function paintSheet() {
    const all = state.table === 'all';
    // A CSV file holds one table; the combined workbook can only be XLSX.
    if (all) state.sheetFormat = 'xlsx';
    const parts = [
      select('export-table', 'output.table', TABLES.map((x) => [x, t(`output.table.${x}`)]), state.table, (v) => { state.table = v; paintSheet(); }),
    ];
    if (state.table === 'rooming') {
      parts.push(select('export-hotel', 'output.hotel',
        [['', t('print.allHotels')], ...lists.hotels.map((x) => [x.id, localName(x.name, x.name_ko)])],
        state.hotel, (v) => { state.hotel = v; }));
    }
    if (state.table === 'roster') {
      if (!state.session && lists.sessions[0]) state.session = lists.sessions[0].id;
      if (lists.sessions.length) {
        parts.push(select('export-session', 'output.session', lists.sessions.map((s) => [s.id, localName(s.title_en, s.title_ko)]), state.session, (v) => { state.session = v; }));
      } else {
        parts.push(h('p', { class: 'muted', id: 'export-no-sessions' }, t('print.noSessions')));
      }
    }
    parts.push(select('export-format', 'output.format',
      [['xlsx', t('output.sheetFormat.xlsx')], ['csv', t('output.sheetFormat.csv'), all]],
      state.sheetFormat, (v) => { state.sheetFormat = v; }));
    if (all) parts.push(h('p', { class: 'muted', id: 'export-csv-hint' }, t('output.csvOneTable')));
    parts.push(select('export-language', 'output.headers', ['en', 'ko'].map((l) => [l, t(`output.headers.${l}`)]), state.headers || getLanguage(), (v) => { state.headers = v; }));
    // Passport numbers go out masked unless asked for in full, for this output (issue 17).
    // In full they leave only inside an AES-256 ZIP under a password the officer chooses.
    if (state.table === 'officials' || all) {
      parts.push(h('label', { class: 'check-item', for: 'export-full-passport' },
        h('input', {
          type: 'checkbox', id: 'export-full-passport', checked: state.fullPassport,
          onChange: (e) => {
            state.fullPassport = e.target.checked;
            api.settingSet('full_passport.export', state.fullPassport ? '1' : '0').catch(showError);
            paintSheet();
          },
        }),
        t('output.fullPassport')));
      if (state.fullPassport) {
        parts.push(h('p', { class: 'muted', id: 'export-zip-hint' }, t('output.zipHint')),
          h('label', { class: 'field' }, h('span', null, t('output.zipPassword')), zipPassword),
          h('label', { class: 'field' }, h('span', null, t('output.zipRepeat')), zipRepeat));
      }
    }
    mount(sheetOptions, parts);
    sheetSave.disabled = state.table === 'roster' && !state.session;
  }

  async function saveExport() {
    const request = {
      event_id: ctx.eventId,
      tables: state.table === 'all' ? WORKBOOK_TABLES : [state.table],
      format: state.sheetFormat,
      hotel_id: state.table === 'rooming' && state.hotel ? state.hotel : null,
      session_id: state.table === 'roster' ? state.session || null : null,
      language: state.headers || getLanguage(),
      full_passport: Boolean(state.fullPassport) && (state.table === 'officials' || state.table === 'all'),
    };
    if (request.full_passport && zipPassword.value !== zipRepeat.value) {
      mount(sheetStatus, h('span', { class: 'field-error', id: 'export-zip-error' }, t('unlock.mismatch')));
      return;
    }
    sheetSave.disabled = true;
    mount(sheetStatus, t('output.making'));
    try {
      const saved = await api.exportSave(request, request.full_passport ? zipPassword.value : null);
      if (!saved) { sheetStatus.textContent = ''; return; }
      toast(t('output.sheetSaved'), 'info');
      showSaved(sheetStatus, 'export-open', t('output.savedTo'), saved);
    } catch (err) {
      sheetStatus.textContent = '';
      showError(err);
    } finally {
      sheetSave.disabled = false;
    }
  }

  // The backend opens only what it wrote, named by the token its save returned.
  function showSaved(slot, id, label, saved) {
    mount(slot, label, ' ', userText(saved.path), ' ',
      h('button', { type: 'button', class: 'btn btn-small', id, onClick: () => api.outputOpen(saved.token).catch(showError) }, t('output.open')));
  }

  return { newRecord: () => {}, focusSearch: () => document.getElementById('itin-who').focus() };
}
