//! The library: every event on this laptop, with the event form (create, rename, edit).

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { h, mount, userText } from '../dom.js';
import { t, localName, otherName, getLanguage, formatNumber } from '../i18n.js';
import { listView } from '../listview.js';
import { twoNames } from '../table.js';
import { openForm } from '../form.js';
import { toast, showError, deleteWithConfirm, confirmDialog } from '../dialogs.js';
import { loadCountries, namedOptions } from '../lookups.js';
import { formatDateRange, timeZones, systemTimeZone } from '../time.js';
import { openBackups } from './safety.js';
import { joinPicker, stopFolderWatch } from './team.js';

const eventName = (e) => localName(e.name_en, e.name_ko);

/**
 * The events asked for at start, beside the window's other start-up calls (main.js): the
 * library's first frame then has its rows. Asked once the screen was built, the answer came
 * back after a frame of the empty screen, 30 ms later than the engine gave it.
 */
let ahead = null;
export function askEventsAhead() {
  ahead = api.eventsList();
  ahead.catch(() => {});
}
/** Drops an answer asked ahead that no list took (the window started on another screen). */
export function forgetEventsAhead() { ahead = null; }

export function renderLibrary(root, app) {
  stopFolderWatch();
  const view = listView({
    tableId: 'events-table',
    newId: 'new-event',
    newLabel: 'library.newEvent',
    caption: () => t('library.caption'),
    columns: [
      { key: 'name', label: 'col.event', sortable: true, sortValue: eventName, render: (e) => h('span', { class: 'event-name' },
        twoNames(eventName(e), otherName(e.name_en, e.name_ko)),
        // The demo events are made up: said on the row, so no one works in them by mistake.
        e.demo ? h('span', { class: 'chip chip-demo', title: t('library.demoHint') }, t('library.demo')) : null,
        // Which events still hold passport numbers, contacts or flights (issue 17).
        e.personal_data ? h('span', { class: 'chip chip-personal', title: t('library.personalDataHint') }, t('library.personalData')) : null) },
      // Dates and city are short: the event's two names (and its demo chip) take the room.
      { key: 'start_date', label: 'col.dates', sortable: true, width: '230px', render: (e) => formatDateRange(e.start_date, e.end_date, getLanguage()) },
      { key: 'city', label: 'field.city', sortable: true, width: '140px' },
      { key: 'delegations', label: 'col.delegations', sortable: true, cls: 'num', render: (e) => userText(formatNumber(e.delegations)) },
      { key: 'officials', label: 'col.officials', sortable: true, cls: 'num', render: (e) => userText(formatNumber(e.officials)) },
    ],
    load: async () => {
      const early = ahead;
      ahead = null;
      const list = early ? await early.catch(() => api.eventsList()) : await api.eventsList();
      events = list;
      return list;
    },
    searchText: (e) => [e.name_en, e.name_ko, e.city, e.host].join(' '),
    defaultSort: { key: 'start_date', desc: true },
    open: (e) => app.openEvent(e.id),
    create: () => editEvent(null, app, (saved) => app.openEvent(saved.id), events || []),
    rowActions: (e) => [
      { label: t('action.open'), action: 'open', ariaLabel: t('action.openNamed', { name: eventName(e) }), onClick: () => app.openEvent(e.id) },
      { label: t('action.edit'), action: 'edit', ariaLabel: t('action.editNamed', { name: eventName(e) }), onClick: () => editEvent(e, app, () => view.refresh()) },
    ],
    remove: (e) => api.eventDelete(e.id),
    confirmMessage: (e) => t('confirm.deleteEvent', { name: eventName(e) }),
    rowName: eventName,
    emptyText: () => t('empty.events'),
    // The demo's own button shows only while demo events are there; an empty library shows
    // the welcome page instead of an empty list.
    afterRender: (rows) => {
      removeDemo.hidden = !rows.some((e) => e.demo);
      const empty = events !== null && events.length === 0;
      welcome.hidden = !empty;
      view.el.hidden = empty;
    },
  });
  let events = null;
  const create = (tab) => editEvent(null, app, (saved) => app.openEvent(saved.id, tab), events || []);
  const card = (id, label, hint, onClick) => h('div', { class: 'welcome-card' },
    h('button', { type: 'button', class: 'btn btn-primary', id, onClick }, label),
    h('p', { class: 'muted' }, hint));
  const welcome = h('section', { id: 'welcome', class: 'welcome', hidden: true, 'aria-labelledby': 'welcome-title' },
    h('h2', { id: 'welcome-title' }, t('welcome.title')),
    h('p', null, t('welcome.intro')),
    h('div', { class: 'welcome-cards' },
      card('welcome-create', t('welcome.create'), t('welcome.createHint'), () => create('dashboard')),
      card('welcome-import', t('welcome.import'), t('welcome.importHint'), () => create('import')),
      card('welcome-demo', t('welcome.demo'), t('welcome.demoHint'), async () => {
        try {
          await api.demoOpen();
          toast(t('welcome.demoOpened'), 'info');
          view.refresh();
        } catch (err) { showError(err); }
      })));
  // The made-up events go in one step, so an officer's library holds their own events only.
  const removeDemo = h('button', {
    type: 'button', class: 'btn', id: 'remove-demo', hidden: true,
    onClick: async () => {
      const ok = await confirmDialog(t('library.removeDemoConfirm'), { title: t('library.removeDemo'), ok: t('library.removeDemo') });
      if (!ok) return;
      try {
        const n = await api.demoRemove();
        toast(t('library.demoRemoved', { n: formatNumber(n) }), 'info');
        view.refresh();
      } catch (err) { showError(err); }
    },
  }, t('library.removeDemo'));
  mount(root,
    h('section', { id: 'screen-library', class: 'screen', 'aria-labelledby': 'library-title' },
      h('div', { class: 'screen-head' },
        h('h1', { id: 'library-title' }, t('library.title')),
        h('p', { class: 'muted' }, t('library.intro')),
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', class: 'btn', id: 'open-backups', onClick: () => openBackups(() => app.reopen()) }, t('library.backups')),
          ...joinPicker((got) => (got && got.event_id ? app.openEvent(got.event_id) : app.reopen())),
          removeDemo)),
      welcome,
      view.el));
  view.refresh();
  return { newRecord: view.newRecord, focusSearch: view.focusSearch };
}

const eventFields = (countryOpts, zoneOf) => [
  { name: 'name_en', required: true, wide: true },
  { name: 'name_ko', wide: true },
  { name: 'start_date', type: 'date', required: true },
  { name: 'end_date', type: 'date', required: true, calendarFrom: 'start_date' },
  // Follows the host country (its capital's zone) until the officer types another.
  { name: 'time_zone', required: true, list: 'tz-list', follow: { from: 'host_country', value: zoneOf } },
  { name: 'city' },
  { name: 'host_country', type: 'select', required: true, options: countryOpts },
  { name: 'host', wide: true },
  { name: 'emergency_contact', wide: true },
  { name: 'notes', type: 'textarea' },
];

/** The event form, used from the library and from the event header. A new event may start
 * from one of `previous` (its venues, hotels and agenda, without its people). */
export async function editEvent(event, app, onSaved, previous = []) {
  ensureZoneList();
  let countries = [];
  try {
    countries = await loadCountries();
  } catch (e) {
    showError(e);
    return;
  }
  const zoneOf = (code) => (countries.find((c) => c.code === code) || {}).time_zone || null;
  // A new event starts in the host country's zone (Asia/Seoul for Korea), not the laptop's.
  const record = event || {
    ...DEFAULTS.event, time_zone: zoneOf('KR') || systemTimeZone(), host_country: 'KR',
  };
  const fields = eventFields(namedOptions(countries), zoneOf);
  if (!event && previous.length) {
    fields.push({
      name: 'copy_from', type: 'select', nullable: true, wide: true,
      options: previous.map((e) => ({ value: e.id, label: `${eventName(e)} (${formatDateRange(e.start_date, e.end_date, getLanguage())})` })),
    });
  }
  let copied = null;
  openForm({
    title: event ? t('form.editEvent') : t('library.newEvent'),
    fields,
    record: { ...record, copy_from: null },
    // The event first; then, when asked, what it starts from (one step of its own to undo).
    save: async (values) => {
      const saved = await api.eventSave(values);
      copied = values.copy_from ? await api.eventCopySetup(values.copy_from, saved.id) : null;
      return saved;
    },
    onSaved: (saved) => {
      toast(copied ? t('library.copied', copied) : t('toast.saved'), 'info');
      if (copied && copied.sessions_outside) toast(t('library.copiedOutside', { n: copied.sessions_outside }), 'info');
      onSaved(saved);
    },
    remove: event ? () => deleteEvent(event, app) : null,
  });
}

/** The <datalist> of IANA zones the time-zone input suggests from (built once). */
function ensureZoneList() {
  if (document.getElementById('tz-list')) return;
  document.body.appendChild(h('datalist', { id: 'tz-list' }, timeZones().map((z) => h('option', { value: z }))));
}

/** Delete an event after a confirmation that names it; resolves true when it is gone. */
export async function deleteEvent(event, app) {
  const ok = await deleteWithConfirm({
    name: eventName(event),
    message: t('confirm.deleteEvent', { name: eventName(event) }),
    remove: () => api.eventDelete(event.id),
  });
  if (ok) {
    toast(t('toast.deleted', { name: eventName(event) }), 'info');
    app.openLibrary();
  }
  return ok;
}

export { eventName };
