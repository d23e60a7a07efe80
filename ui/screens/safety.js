//! Keeping the officer's work safe: the Backups dialog (list, back up now, restore, full
//! check), the screen shown when the library could not be opened, and the event's History
//! with Undo.

import * as api from '../api.js';
import { h, mount, userText } from '../dom.js';
import { t, has, getLanguage, formatNumber, errorText, fieldErrorText } from '../i18n.js';
import { confirmDialog, showError, toast } from '../dialogs.js';

const localTime = (iso) => new Date(iso).toLocaleString(getLanguage() === 'ko' ? 'ko-KR' : 'en-GB', {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});

function size(bytes) {
  const kb = bytes / 1024;
  return kb < 1024 ? `${formatNumber(Math.max(1, Math.round(kb)))} KB` : `${(kb / 1024).toFixed(1)} MB`;
}

/** A word for `key` when the dictionary has one, else `fallback` as it is. */
const word = (key, fallback) => (has(key) ? t(key) : fallback);
const reason = (r) => word(`backup.reason.${r}`, r);

/** The one dialog these tools share; each opening replaces its content. */
export function toolsDialog(titleId, title, ...body) {
  const dlg = document.getElementById('tools-dialog');
  mount(dlg,
    h('div', { class: 'tools' },
      h('div', { class: 'dialog-head' },
        h('h2', { id: titleId }, title),
        h('button', { type: 'button', class: 'btn btn-quiet', id: 'tools-close', onClick: () => dlg.close() }, t('action.close'))),
      body));
  dlg.setAttribute('aria-labelledby', titleId);
  if (!dlg.open) dlg.showModal();
  return dlg;
}

/** Restores one backup after asking; `done()` runs once the library is back. */
async function restore(backup, done) {
  const ok = await confirmDialog(t('backup.confirmRestore', { when: localTime(backup.created_at) }), {
    title: t('backup.restoreTitle'), ok: t('backup.restore'),
  });
  if (!ok) return;
  try {
    await api.backupRestore(backup.file_name);
    toast(t('backup.restored', { when: localTime(backup.created_at) }), 'info');
    done();
  } catch (err) {
    showError(err);
  }
}

/** The Backups dialog, from the library screen. `onRestored` redraws the app. */
export async function openBackups(onRestored) {
  const list = h('div', { class: 'backup-list', id: 'backup-list', 'aria-live': 'polite' });
  const checkResult = h('p', { class: 'check-result', id: 'check-result', role: 'status' });
  const dlg = toolsDialog('backups-title', t('backup.title'),
    h('p', { class: 'muted' }, t('backup.intro')),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'btn btn-primary', id: 'backup-now', onClick: backupNow }, t('backup.now')),
      h('button', { type: 'button', class: 'btn', id: 'library-check', onClick: check }, t('backup.check'))),
    checkResult,
    list);

  async function load() {
    try {
      const backups = await api.backupsList();
      if (!backups.length) { mount(list, h('p', { class: 'muted' }, t('backup.none'))); return; }
      mount(list, h('table', { class: 'table', id: 'backups-table' },
        h('caption', { class: 'visually-hidden' }, t('backup.title')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('backup.when')),
          h('th', { scope: 'col' }, t('backup.why')),
          h('th', { scope: 'col', class: 'num' }, t('backup.size')),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('col.actions'))))),
        h('tbody', null, backups.map((b) => h('tr', { dataset: { file: b.file_name } },
          h('td', null, localTime(b.created_at)),
          h('td', null, reason(b.reason)),
          h('td', { class: 'num' }, size(b.size_bytes)),
          h('td', { class: 'actions' }, h('button', {
            type: 'button', class: 'btn btn-small', dataset: { action: 'restore' },
            'aria-label': t('backup.restoreNamed', { when: localTime(b.created_at) }),
            onClick: () => restore(b, () => { dlg.close(); onRestored(); }),
          }, t('backup.restore'))))))));
    } catch (err) {
      mount(list, h('p', { class: 'field-error' }, errorText(err)));
    }
  }

  async function backupNow() {
    try {
      const b = await api.backupNow();
      toast(t('backup.made', { size: size(b.size_bytes) }), 'info');
      load();
    } catch (err) {
      showError(err);
    }
  }

  async function check() {
    checkResult.textContent = t('backup.checking');
    try {
      const health = await api.libraryCheck();
      const ok = health.integrity.length === 1 && health.integrity[0] === 'ok' && health.foreign_key_problems === 0;
      checkResult.className = ok ? 'check-result ok' : 'check-result bad';
      checkResult.textContent = ok ? t('backup.checkOk') : t('backup.checkBad', { n: formatNumber(health.integrity.length + health.foreign_key_problems) });
    } catch (err) {
      checkResult.className = 'check-result bad';
      checkResult.textContent = errorText(err);
    }
  }

  load();
}

/** Shown instead of the library when the library file could not be opened. */
export function renderLibraryProblem(root, status, onRestored) {
  const newest = status.newest_backup;
  mount(root,
    h('section', { id: 'screen-problem', class: 'screen', 'aria-labelledby': 'problem-title' },
      h('div', { class: 'screen-head' },
        h('h1', { id: 'problem-title' }, t('problem.title'))),
      h('div', { class: 'problem-box' },
        h('p', { id: 'problem-reason' }, userText(status.error ? errorText(status.error) : '', 'problem-reason')),
        h('p', null, t('problem.untouched')),
        newest
          ? h('p', null,
            h('button', {
              type: 'button', class: 'btn btn-primary', id: 'restore-newest',
              onClick: () => restore(newest, onRestored),
            }, t('problem.restoreNewest', { when: localTime(newest.created_at) })))
          : h('p', { class: 'muted' }, t('problem.noBackup')))));
}

/** The History dialog of an event: recent changes, who and when, and Undo of the newest. */
export async function openHistory(eventId, onUndone) {
  const body = h('div', { id: 'history-body' });
  toolsDialog('history-title', t('history.title'), body);
  let entries;
  try {
    entries = await api.historyList(eventId, 200);
  } catch (err) {
    mount(body, h('p', { class: 'field-error' }, errorText(err)));
    return;
  }
  const next = entries.find((e) => e.undone_at === null && e.undo_of === null);
  mount(body,
    h('div', { class: 'toolbar' },
      h('button', {
        type: 'button', class: 'btn btn-primary', id: 'history-undo', disabled: !next,
        onClick: async () => { if (await undo(eventId)) { document.getElementById('tools-dialog').close(); onUndone(); } },
      }, t('history.undoLast'))),
    entries.length
      ? h('table', { class: 'table', id: 'history-table' },
        h('caption', { class: 'visually-hidden' }, t('history.title')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('history.when')),
          h('th', { scope: 'col' }, t('history.who')),
          h('th', { scope: 'col' }, t('history.what')))),
        h('tbody', null, entries.map((e) => h('tr', { class: e.undone_at ? 'undone' : null },
          h('td', null, localTime(e.at)),
          h('td', null, userText(e.actor)),
          h('td', null, userText(describe(e)), e.undone_at ? h('span', { class: 'chip' }, t('history.undone')) : null)))))
      : h('p', { class: 'muted' }, t('history.empty')));
}

/**
 * A passphrase for the library's key: added beside the credential store (for an officer who
 * prefers one), or changed (the current one asked first). The key itself stays.
 */
function openPassphrase(protection) {
  const error = h('p', { class: 'field-error', id: 'passphrase-error', role: 'alert', hidden: true });
  const current = h('input', { type: 'password', id: 'passphrase-current', autocomplete: 'current-password' });
  const next = h('input', { type: 'password', id: 'passphrase-new', autocomplete: 'new-password' });
  const repeat = h('input', { type: 'password', id: 'passphrase-repeat', autocomplete: 'new-password' });
  const say = (text) => { error.textContent = text; error.hidden = false; };
  async function submit(e) {
    e.preventDefault();
    if (next.value !== repeat.value) { say(t('unlock.mismatch')); return; }
    try {
      await api.libraryPassphraseSet(protection.passphrase ? current.value : null, next.value);
      document.getElementById('tools-dialog').close();
      toast(t('passphrase.done'), 'info');
    } catch (err) {
      const field = err && err.fields && err.fields[0];
      say(field ? fieldErrorText(field) : errorText(err));
    }
  }
  toolsDialog('passphrase-title', t(protection.passphrase ? 'passphrase.change' : 'passphrase.add').replace(/…$/, ''),
    h('form', { class: 'unlock-box passphrase-form', id: 'passphrase-form', onSubmit: submit },
      h('p', null, t('passphrase.intro')),
      protection.passphrase ? h('label', { class: 'field' }, h('span', null, t('passphrase.current')), current) : null,
      h('label', { class: 'field' }, h('span', null, t('unlock.newPassphrase')), next),
      h('label', { class: 'field' }, h('span', null, t('unlock.repeat')), repeat),
      error,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'passphrase-save' }, t('action.save')))));
  (protection.passphrase ? current : next).focus();
}

/** "SQLCipher (AES-256); key in the credential store and under a passphrase". */
function protectionText(p) {
  if (!p.encrypted) return t('help.notEncrypted');
  const kept = [p.keyring ? t('help.keyKeyring') : null, p.passphrase ? t('help.keyPassphrase') : null].filter(Boolean);
  return t('help.encrypted', { kept: kept.length ? kept.join(', ') : t('help.keyCodeOnly') });
}

/** "Updated official NGUYEN Van Minh (position, phone)" in the officer's language. */
function describe(e) {
  // What left the library (printed, saved, exported): not a change, and not undone.
  if (e.entity === 'output') return t(`history.output.${e.action}`, { name: e.label || '' });
  const what = word(`entity.${e.entity}`, e.entity);
  const fields = e.changed_fields && e.changed_fields.length ? ` (${e.changed_fields.map((f) => word(`field.${f}`, f)).join(', ')})` : '';
  return t(`history.${e.undo_of ? 'undo' : e.action}`, { what, name: e.label || '' }) + fields;
}

/** Takes back the newest change of the event (a whole import or bulk change at once). */
export async function undo(eventId) {
  try {
    const step = await api.undoNext(eventId);
    if (!step) { toast(t('history.nothing'), 'info'); return false; }
    const report = await api.undoLast(eventId);
    if (!report) { toast(t('history.nothing'), 'info'); return false; }
    // Says what was taken back, in the window's language: the change itself when it was one,
    // the newest of a batch and how many more otherwise.
    const first = step.entries[0];
    const what = first ? describe(first) : '';
    toast(report.entries_undone === 1 && first
      ? t('history.undoneOne', { what })
      : t('history.undoneMany', { what, n: formatNumber(report.entries_undone) }), 'info');
    return true;
  } catch (err) {
    showError(err);
    return false;
  }
}

/** Keyboard shortcuts, as the window answers them, with the keys each names. */
const SHORTCUTS = [
  ['Ctrl+N', 'help.key.new'],
  ['Ctrl+F', 'help.key.search'],
  ['Ctrl+Z', 'help.key.undo'],
  ['Enter', 'help.key.save'],
  ['Esc', 'help.key.close'],
  ['?', 'help.key.help'],
];

/**
 * Help and About (the header's "?" button or the ? key): the keyboard shortcuts, and which
 * build this is and where the library and its backups live, for the office's IT desk.
 */
export async function openHelp() {
  const body = h('div', { id: 'help-body' });
  toolsDialog('help-title', t('help.title'), body);
  let about = null;
  try { about = await api.appAbout(); } catch (err) { /* the shortcuts still help */ }
  mount(body,
    h('h3', null, t('help.shortcuts')),
    h('table', { class: 'table', id: 'help-shortcuts' },
      h('tbody', null, SHORTCUTS.map(([key, what]) => h('tr', null,
        h('td', null, h('kbd', null, key)), h('td', null, t(what)))))),
    about ? h('div', { id: 'help-about' },
      h('h3', null, t('help.about')),
      h('dl', { class: 'about-list' },
        h('dt', null, t('help.version')), h('dd', { id: 'about-version' }, `${about.version} (${t('help.build')} ${about.build})`),
        h('dt', null, t('help.schema')), h('dd', null, String(about.schema_version)),
        about.library ? [h('dt', null, t('help.library')), h('dd', null, userText(about.library, 'path-text'))] : null,
        about.backups ? [h('dt', null, t('help.backups')), h('dd', null, userText(about.backups, 'path-text'))] : null,
        about.protection ? [h('dt', null, t('help.encryption')), h('dd', { id: 'about-encryption' }, protectionText(about.protection), ' ',
          about.protection.encrypted ? h('button', {
            type: 'button', class: 'btn btn-small', id: 'passphrase-open', onClick: () => openPassphrase(about.protection),
          }, t(about.protection.passphrase ? 'passphrase.change' : 'passphrase.add')) : null)] : null,
        about.logs ? [h('dt', null, t('help.logs')), h('dd', { id: 'about-logs' }, userText(about.logs, 'path-text'), ' ',
          h('button', {
            type: 'button', class: 'btn btn-small', id: 'open-logs',
            onClick: async () => { try { await api.openLogsFolder(); } catch (err) { showError(err); } },
          }, t('help.openLogs')))] : null)) : null);
}
