//! The encrypted library's lock screen (its passphrase, or the recovery code and a new
//! passphrase), the set-up of a passphrase on a computer without a credential store, and the
//! recovery code shown once to print and keep.

import { h, mount, markPainted } from '../dom.js';
import { t, errorText, fieldErrorText } from '../i18n.js';
import { toast } from '../dialogs.js';
import { libraryUnlock } from '../api.js';

/**
 * Shown instead of the library while it is locked. `status.setup`: a new library on a computer
 * without a credential store, protected by the passphrase chosen here. `onOpen(status)` runs
 * once the library is open.
 */
export function renderUnlock(root, status, onOpen) {
  // Without its key file only the recovery code opens the library: start there.
  let recovering = Boolean(status.error && status.error.code === 'no_key_file');
  const error = h('p', { class: 'field-error', id: 'unlock-error', role: 'alert', hidden: true });
  const say = (err) => {
    const field = err && err.fields && err.fields[0];
    error.textContent = field ? fieldErrorText(field) : errorText(err);
    error.hidden = false;
  };
  const passphrase = h('input', { type: 'password', id: 'unlock-passphrase', autocomplete: 'current-password', required: true });
  const repeat = h('input', { type: 'password', id: 'unlock-repeat', autocomplete: 'new-password' });
  const code = h('input', { type: 'text', id: 'unlock-code', autocomplete: 'off', spellcheck: 'false', class: 'recovery-input' });
  const setup = status.setup;
  // Why the library did not open by itself, when it is more than "no key given": its key file
  // gone (the recovery code opens it), a passphrase in the environment that does not fit.
  if (status.error && !['locked', 'no_key_store'].includes(status.error.code)) say(status.error);

  async function submit(e) {
    e.preventDefault();
    error.hidden = true;
    if ((setup || recovering) && passphrase.value !== repeat.value) {
      error.textContent = t('unlock.mismatch');
      error.hidden = false;
      repeat.focus();
      return;
    }
    try {
      const opened = recovering
        ? await libraryUnlock({ code: code.value, passphrase: passphrase.value })
        : await libraryUnlock({ passphrase: passphrase.value });
      if (recovering) toast(t('unlock.recovered'), 'info');
      onOpen(opened);
    } catch (err) {
      say(err);
      passphrase.select();
    }
  }

  function paint() {
    const asking = setup || recovering;
    mount(root,
      h('section', { id: 'screen-unlock', class: 'screen', 'aria-labelledby': 'unlock-title' },
        h('div', { class: 'screen-head' },
          h('h1', { id: 'unlock-title' }, t(setup ? 'unlock.setupTitle' : 'unlock.title'))),
        h('form', { class: 'unlock-box', id: 'unlock-form', onSubmit: submit },
          h('p', null, t(setup ? 'unlock.setupIntro' : recovering ? 'unlock.recoverIntro' : 'unlock.intro')),
          recovering ? h('label', { class: 'field' }, h('span', null, t('unlock.code')), code) : null,
          h('label', { class: 'field' },
            h('span', null, t(asking ? 'unlock.newPassphrase' : 'unlock.passphrase')), passphrase),
          asking ? h('label', { class: 'field' }, h('span', null, t('unlock.repeat')), repeat) : null,
          error,
          h('div', { class: 'dialog-buttons' },
            setup ? null : h('button', {
              type: 'button', class: 'btn btn-quiet', id: 'unlock-toggle',
              onClick: () => { recovering = !recovering; paint(); },
            }, t(recovering ? 'unlock.usePassphrase' : 'unlock.useCode')),
            h('button', { type: 'submit', class: 'btn btn-primary', id: 'unlock-submit' },
              t(setup ? 'unlock.protect' : 'unlock.open'))))));
    passphrase.autocomplete = asking ? 'new-password' : 'current-password';
    (recovering ? code : passphrase).focus();
  }
  paint();
  markPainted();
}

function codeLines(code) {
  const groups = code.split('-');
  const lines = [];
  for (let i = 0; i < groups.length; i += 5) {
    const last = i + 5 >= groups.length;
    lines.push(groups.slice(i, i + 5).join('-') + (last ? '' : '-'));
  }
  return lines;
}

/** Prints the recovery sheet alone, not the window behind it. */
function printCode() {
  document.body.classList.add('printing-recovery');
  try { window.print(); } finally { document.body.classList.remove('printing-recovery'); }
}

/** Says, once, what opening the library did: a plain library encrypted, a new recovery code. */
export function showNotice(notice) {
  if (!notice) return;
  if (notice.converted) {
    toast(t('unlock.converted', {
      encrypted: notice.converted.backups_encrypted,
      removed: notice.converted.backups_removed,
    }), 'info');
  }
  if (!notice.recovery_code) return;
  const dlg = document.getElementById('tools-dialog');
  mount(dlg,
    h('div', { class: 'tools recovery-sheet' },
      h('div', { class: 'dialog-head' }, h('h2', { id: 'recovery-title' }, t('unlock.codeTitle'))),
      h('p', null, t('unlock.codeIntro')),
      // Five groups a line, each line ending in its dash, so that the code reads (and copies)
      // whole and never breaks inside a group.
      h('div', { class: 'recovery-code', id: 'recovery-code' }, codeLines(notice.recovery_code).map((line) => h('div', null, line))),
      h('p', { class: 'muted' }, t('unlock.codeKeep')),
      h('div', { class: 'dialog-buttons no-print' },
        h('button', { type: 'button', class: 'btn', id: 'recovery-print', onClick: printCode }, t('unlock.print')),
        h('button', { type: 'button', class: 'btn btn-primary', id: 'recovery-kept', onClick: () => dlg.close() }, t('unlock.kept')))));
  dlg.setAttribute('aria-labelledby', 'recovery-title');
  if (!dlg.open) dlg.showModal();
  document.getElementById('recovery-kept').focus();
}
