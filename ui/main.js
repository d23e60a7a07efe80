//! Boot: load the remembered language, show the library, and wire the global shortcuts.

import { loadLanguage, setLanguage, getLanguage, onLanguageChange, t } from './i18n.js';
import { renderLibrary } from './screens/library.js';
import { renderEvent } from './screens/event.js';
import { hideToast, showError } from './dialogs.js';
import { isFormOpen } from './form.js';

const root = document.getElementById('app');
const state = { screen: 'library', eventId: null, tab: 'dashboard' };
let controller = null;
let renderSeq = 0;

const app = {
  openLibrary() { state.screen = 'library'; state.eventId = null; render(); },
  openEvent(id) { state.screen = 'event'; state.eventId = id; state.tab = 'dashboard'; render(); },
  rerender() { render(); },
};

async function render() {
  const my = ++renderSeq;
  paintChrome();
  controller = null;
  const c = state.screen === 'event' ? await renderEvent(root, app, state) : renderLibrary(root, app);
  if (my === renderSeq) controller = c;
}

/** The parts of the window outside the screens: title, subtitle, language switcher. */
function paintChrome() {
  document.documentElement.lang = getLanguage();
  document.title = `Delegation Desk — ${t('app.subtitle')}`;
  document.getElementById('app-subtitle').textContent = t('app.subtitle');
  document.getElementById('lang-select').value = getLanguage();
  document.getElementById('skip-link').textContent = t('app.skip');
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
  } else if (e.key === 'Escape' && !anyDialogOpen() && !isFormOpen()) {
    const toastEl = document.getElementById('toast');
    if (!toastEl.hidden) hideToast();
  }
});

document.getElementById('lang-select').addEventListener('change', async (e) => {
  try {
    await setLanguage(e.target.value);
  } catch (err) {
    showError(err);
  }
});

onLanguageChange(() => render());

(async function boot() {
  await loadLanguage();
  render();
})();
