//! The event workspace: header with the event's name and dates, a back button, and one tab
//! per part of the event. Each tab module mounts itself into the panel.

import * as api from '../api.js';
import { h, mount, userText, whenPainted } from '../dom.js';
import { t, otherName, getLanguage, formatNumber } from '../i18n.js';
import { showError } from '../dialogs.js';
import { formatDateRange } from '../time.js';
import { editEvent, deleteEvent, eventName } from './library.js';
import { mountDelegations } from './delegations.js';
import { mountOfficials } from './officials.js';
import { mountTravel } from './travel.js';
import { mountHotels } from './hotels.js';
import { mountVenues } from './venues.js';
import { mountAgenda } from './agenda.js';
import { mountDashboard, problemCount } from './dashboard.js';
import { openHistory, undo } from './safety.js';
import { openTeam, watchFolder } from './team.js';
import { mountImport } from './import.js';
import { mountPrint } from './print.js';
import { mountOutput } from './output.js';
import { mountLetters } from './letters.js';
import { mountGround } from './ground.js';
import { mountProtocol } from './protocol.js';

const TABS = [
  ['dashboard', mountDashboard],
  ['delegations', mountDelegations],
  ['officials', mountOfficials],
  ['travel', mountTravel],
  ['hotels', mountHotels],
  ['venues', mountVenues],
  ['agenda', mountAgenda],
  ['protocol', mountProtocol],
  ['ground', mountGround],
  ['print', mountPrint],
  ['output', mountOutput],
  ['letters', mountLetters],
  ['import', mountImport],
];

/** Unsubscribes the previous workspace from data changes when another one is drawn. */
let detach = null;

export async function renderEvent(root, app, state) {
  if (detach) { detach(); detach = null; }
  let event;
  try {
    event = await api.eventGet(state.eventId);
  } catch (err) {
    showError(err);
    app.openLibrary();
    return null;
  }
  const panel = h('div', { class: 'tab-panel', id: 'tab-panel', role: 'tabpanel' });
  let active = null;

  // The count of errors + warnings on the Dashboard tab. The number is for the eye; screen
  // readers hear the sentence in the hidden span, as part of the tab's name.
  const badge = h('span', { class: 'tab-badge', id: 'dashboard-badge', 'aria-hidden': 'true', hidden: true });
  const badgeText = h('span', { class: 'visually-hidden', id: 'dashboard-badge-text' });
  function showCount(data) {
    const problems = data.problems || [];
    const n = problemCount(data);
    badge.textContent = formatNumber(n);
    badge.dataset.count = String(n);
    badge.dataset.level = problems.some((p) => p.severity === 'error') ? 'error' : n ? 'warning' : 'none';
    badge.hidden = false;
    badgeText.textContent = t('dash.badge', { n: formatNumber(n) });
  }
  const ctx = { event, eventId: event.id, tz: event.time_zone || 'UTC', onData: showCount, openTab: (key) => select(key, true) };

  let badgeSeq = 0;
  async function refreshCount() {
    const my = ++badgeSeq;
    try {
      const data = await api.eventDashboard(event.id);
      if (my === badgeSeq && badge.isConnected) showCount(data);
    } catch (err) {
      console.error(err); // the badge stays as it was; the Dashboard itself reports failures
    }
  }

  // One listener for every successful save or delete anywhere in the event (api.js emits it):
  // the open Dashboard reloads (which also updates the badge); otherwise only the badge does.
  let pending = 0;
  const unsubscribe = api.onDataChanged(() => {
    if (!badge.isConnected) { unsubscribe(); return; }
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (!badge.isConnected) return;
      if (state.tab === 'dashboard' && active && active.reload) active.reload();
      else refreshCount();
    }, 60);
  });
  detach = () => { clearTimeout(pending); unsubscribe(); };

  const tabButtons = TABS.map(([key]) => h('button', {
    type: 'button', role: 'tab', id: `tab-${key}`, class: 'tab', dataset: { tab: key },
    'aria-controls': 'tab-panel', onClick: () => select(key, true),
  }, t(`tab.${key}`), key === 'dashboard' ? [' ', badge, badgeText] : null));

  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('event.sections') }, tabButtons);
  // Arrow keys move between tabs, as in any desktop tab strip.
  tabList.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = tabButtons.indexOf(document.activeElement);
    if (i < 0) return;
    const next = tabButtons[(i + (e.key === 'ArrowRight' ? 1 : tabButtons.length - 1)) % tabButtons.length];
    next.focus();
    select(next.dataset.tab, true);
  });

  function select(key, focusTab) {
    state.tab = key;
    for (const b of tabButtons) {
      const on = b.dataset.tab === key;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    // A short help panel on every tab (what it is for, what usually comes next), closed until
    // asked for so that it takes one line.
    panel.replaceChildren(h('details', { class: 'tab-help', id: 'tab-help' },
      h('summary', null, t('help.tabAbout')),
      h('p', null, t(`help.tab.${key}`))));
    const mountTab = TABS.find(([k]) => k === key)[1];
    active = mountTab(panel, ctx);
    if (focusTab) document.getElementById(`tab-${key}`).focus();
  }

  const name = eventName(event);
  const other = otherName(event.name_en, event.name_ko);
  // Open conflicts from team sync, on the Team button; a shared folder is synced while the
  // event is open.
  const teamBadge = h('span', { class: 'tab-badge', id: 'team-badge', hidden: true });
  api.syncStatus(event.id).then((s) => {
    if (s.conflicts) { teamBadge.textContent = formatNumber(s.conflicts); teamBadge.hidden = false; }
  }).catch(() => {});
  watchFolder(event.id, () => app.rerender());
  mount(root,
    h('section', { id: 'screen-event', class: 'screen', 'aria-labelledby': 'event-title' },
      h('div', { class: 'event-head' },
        h('button', { type: 'button', id: 'nav-library', class: 'btn btn-quiet', onClick: () => app.openLibrary() }, '← ', t('nav.library')),
        h('div', { class: 'event-title-block' },
          h('h1', { id: 'event-title' }, userText(name, 'title-text')),
          h('p', { class: 'event-meta' },
            other ? userText(other, 'title-other') : null,
            h('span', null, formatDateRange(event.start_date, event.end_date, getLanguage())),
            event.city ? userText(event.city, 'meta-item') : null,
            h('span', { class: 'meta-item' }, t('event.timeZone', { tz: ctx.tz })))),
        h('button', {
          type: 'button', id: 'undo-button', class: 'btn', title: 'Ctrl+Z', 'aria-keyshortcuts': 'Control+Z',
          onClick: async () => { if (await undo(event.id)) app.rerender(); },
        }, '↶ ', t('history.undoButton')),
        h('button', {
          type: 'button', id: 'history-button', class: 'btn',
          onClick: () => openHistory(event.id, () => app.rerender()),
        }, t('history.button')),
        h('button', {
          type: 'button', id: 'team-button', class: 'btn',
          onClick: () => openTeam(event, () => app.rerender()),
        }, t('team.button'), teamBadge),
        h('button', {
          type: 'button', id: 'edit-event', class: 'btn',
          onClick: () => editEvent(event, { openLibrary: app.openLibrary }, () => app.rerender()),
        }, t('form.editEvent')),
        h('button', {
          type: 'button', id: 'delete-event', class: 'btn btn-danger-quiet',
          onClick: () => deleteEvent(event, app),
        }, t('action.deleteEvent'))),
      tabList,
      panel));
  const first = TABS.some(([k]) => k === state.tab) ? state.tab : 'dashboard';
  select(first, false);
  // The Dashboard fills the badge when it loads; any other first tab needs the count fetched,
  // after its own list is on screen.
  if (first !== 'dashboard') whenPainted(refreshCount);

  return {
    newRecord: () => active && active.newRecord(),
    focusSearch: () => active && active.focusSearch(),
  };
}
