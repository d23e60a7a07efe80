//! Boot: load the remembered language, show the library, and wire the global shortcuts.

import { loadCatalogues, loadLanguage, setLanguage, getLanguage, onLanguageChange, t, tAll } from './i18n.js';
import { renderLibrary, askEventsAhead, forgetEventsAhead } from './screens/library.js';
import { renderLibraryProblem, undo, openHelp } from './screens/safety.js';
import { renderUnlock, showNotice } from './screens/unlock.js';
import { hideToast, showError, toast } from './dialogs.js';
import { isFormOpen } from './form.js';
import { loadOfficer, paintOfficer } from './officer.js';
import { appStartup, uiMetric, libraryStatus } from './api.js';
import { enableProbe, setMetricReporter, reportMetric, h, mount } from './dom.js';

const root = document.getElementById('app');
const state = { screen: 'library', eventId: null, tab: 'dashboard', problem: null };
let controller = null;
let renderSeq = 0;

const app = {
  openLibrary() { state.screen = 'library'; state.eventId = null; render(); },
  openEvent(id, tab = 'dashboard') { state.screen = 'event'; state.eventId = id; state.tab = tab; render(); },
  /** After a restore: the library may hold other events now. */
  reopen() { state.screen = 'library'; state.eventId = null; render(); },
  rerender() { render(); },
};

async function render() {
  const my = ++renderSeq;
  paintChrome();
  controller = null;
  let c = null;
  if (state.screen === 'problem') renderLibraryProblem(root, state.problem, () => app.reopen());
  else if (state.screen === 'unlock') {
    renderUnlock(root, state.problem, (status) => {
      state.problem = null;
      app.reopen();
      showNotice(status && status.notice);
    });
  }
  else if (state.screen === 'event') {
    // The event workspace (its ten tabs, two thirds of the window's code) is read when an
    // event is first opened, not at start: the library paints sooner and the web process
    // holds less until then.
    const { renderEvent } = await import('./screens/event.js');
    c = await renderEvent(root, app, state);
  } else c = renderLibrary(root, app);
  if (my === renderSeq) controller = c;
}

/** The parts of the window outside the screens: title, subtitle, language switcher. */
function paintChrome() {
  document.documentElement.lang = getLanguage();
  // Nobody can sign changes in a library that is still locked.
  document.body.classList.toggle('locked', state.screen === 'unlock');
  document.title = `Delegation Desk — ${t('app.subtitle')}`;
  document.getElementById('app-subtitle').textContent = t('app.subtitle');
  document.getElementById('lang-select').value = getLanguage();
  const help = document.getElementById('help-button');
  help.setAttribute('aria-label', t('help.title'));
  help.title = `${t('help.title')} (?)`;
  document.getElementById('skip-link').textContent = t('app.skip');
  paintOfficer();
}

// A registration file dropped anywhere on the window opens in the event's Import tab. Added
// once, here, not in paintChrome: that runs on every render and would handle one drop many times.
window.addEventListener('dragover', (e) => {
  if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) e.preventDefault();
});
window.addEventListener('drop', (e) => {
  const files = e.dataTransfer && e.dataTransfer.files ? [...e.dataTransfer.files] : [];
  if (!files.length) return;
  e.preventDefault();
  // Team-sync bundles are received wherever they are dropped (joining asks for the key).
  const bundles = files.filter((f) => /\.ddsync$/i.test(f.name));
  if (bundles.length) {
    import('./screens/team.js').then(async ({ receiveBundle }) => {
      let last = null;
      for (const f of bundles) last = (await receiveBundle(f, () => {})) || last;
      if (last && last.event_id && state.screen !== 'event') app.openEvent(last.event_id);
      else render();
    });
    return;
  }
  if (state.screen !== 'event') { toast(t('import.openEventFirst')); return; }
  // Several returned registration forms at once: each is previewed and imported in turn.
  import('./screens/import.js').then(({ takeDroppedFiles }) => {
    takeDroppedFiles(files);
    state.tab = 'import';
    render();
  });
});

function isTextField(el) {
  return !!el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['button', 'checkbox', 'radio', 'submit'].includes(el.type)) || el.isContentEditable);
}

function anyDialogOpen() {
  return [...document.querySelectorAll('dialog')].some((d) => d.open);
}

document.addEventListener('keydown', (e) => {
  const mod = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
  const key = e.key.toLowerCase();
  if (mod && key === 'f') {
    e.preventDefault();
    if (!anyDialogOpen() && controller) controller.focusSearch();
  } else if (mod && key === 'n') {
    // Always swallow Ctrl+N: the webview would otherwise open a blank window.
    e.preventDefault();
    if (!anyDialogOpen() && controller) controller.newRecord();
  } else if (mod && key === 'z' && state.screen === 'event' && !anyDialogOpen() && !isTextField(e.target)) {
    // Ctrl+Z in a text box undoes typing, as everywhere; elsewhere it undoes the last change.
    e.preventDefault();
    undo(state.eventId).then((done) => { if (done) render(); });
  } else if (e.key === '?' && !mod && !anyDialogOpen() && !isTextField(e.target)) {
    e.preventDefault();
    openHelp();
  } else if (e.key === 'Escape' && !anyDialogOpen() && !isFormOpen()) {
    const toastEl = document.getElementById('toast');
    if (!toastEl.hidden) hideToast();
  }
});

document.getElementById('help-button').addEventListener('click', () => openHelp());

document.getElementById('lang-select').addEventListener('change', async (e) => {
  try {
    await setLanguage(e.target.value);
  } catch (err) {
    showError(err);
  }
});

onLanguageChange(() => render());

/** Receives a bundle double-clicked in the file manager (at start, or while the window was
 *  open: the second launch hands it over and brings the window forward). */
function takeOpenedBundle() {
  if (state.screen !== 'library' && state.screen !== 'event') return;
  // After the sheet or question in front (a new library's recovery code) is closed.
  if (anyDialogOpen()) { setTimeout(takeOpenedBundle, 500); return; }
  if (takingBundle) return;
  takingBundle = true;
  import('./screens/team.js').then(({ receiveOpened }) => receiveOpened((got) => {
    if (got && got.event_id && state.eventId !== got.event_id) app.openEvent(got.event_id);
    else render();
  })).finally(() => { takingBundle = false; });
}
let takingBundle = false;
window.addEventListener('focus', () => { if (!anyDialogOpen()) takeOpenedBundle(); });

(async function boot() {
  // Where a start goes, for the benchmark (reported below once the probe is known to be on).
  const booted = performance.now();
  // The library opens while the window starts; a big one being checked or upgraded can take
  // seconds, and a blank window would look hung. The language is in the library, so both.
  const slow = setTimeout(() => {
    mount(document.getElementById('app'), h('p', { class: 'empty-state', id: 'library-opening', role: 'status' }, tAll('library.opening')));
  }, 400);
  // The library's events too, for its list's first frame (taken by the list, or dropped
  // once the first screen is on).
  askEventsAhead();
  // The words come with the rest: a quick call that needs no library.
  const [startup, status] = await Promise.all([
    appStartup().catch(() => null), libraryStatus().catch(() => null), loadLanguage().then(loadOfficer),
    loadCatalogues().catch(() => null),
  ]);
  clearTimeout(slow);
  if (startup && startup.probe) {
    setMetricReporter(uiMetric);
    enableProbe();
    reportMetric('boot', booted);
    reportMetric('startup_answered', performance.now());
  }
  if (status && status.locked) {
    // Encrypted, and neither the credential store nor DDESK_PASSPHRASE unlocked it.
    state.screen = 'unlock';
    state.problem = status;
  } else if (status && !status.ok) {
    // The library file is damaged or not ours: say so, and offer the newest good backup.
    state.screen = 'problem';
    state.problem = status;
  } else if (startup && startup.event_id) {
    // Started with --open: straight to that event (an unknown id falls back to the library).
    state.screen = 'event';
    state.eventId = startup.event_id;
    state.tab = startup.tab || 'dashboard';
  }
  render();
  forgetEventsAhead();
  // A new library's recovery code, or a plain library just encrypted: said once.
  if (status && status.ok) showNotice(status.notice);
  // A team bundle the app was opened with (double-clicked).
  if (status && status.ok) takeOpenedBundle();
  // SQLite's write-ahead log needs the library on this computer's own disk (issue 15).
  if (status && status.network_drive) toast(t('library.networkDrive'), 'error');
})();
