//! The confirm dialog and the error banner. No window.confirm/alert: they ignore the
//! officer's language and block the whole webview.

import { h, mount } from './dom.js';
import { t, errorText } from './i18n.js';

let pending = null;

/**
 * Ask a yes/no question in #confirm-dialog. Resolves true only on #confirm-ok.
 * `message` may be a string or an array of strings/nodes (user text stays text).
 */
export function confirmDialog(message, { title = t('confirm.title'), ok = t('action.delete'), danger = true } = {}) {
  const dlg = document.getElementById('confirm-dialog');
  if (pending) pending(false);
  return new Promise((resolve) => {
    const finish = (answer) => {
      if (pending !== finish) return;
      pending = null;
      if (dlg.open) dlg.close();
      resolve(answer);
    };
    pending = finish;
    mount(dlg,
      h('form', { method: 'dialog', class: 'confirm-form', onSubmit: (e) => { e.preventDefault(); finish(true); } },
        h('h2', { id: 'confirm-title' }, title),
        h('div', { class: 'confirm-message', id: 'confirm-message' }, message),
        h('div', { class: 'dialog-buttons' },
          h('button', { type: 'button', id: 'confirm-cancel', class: 'btn', onClick: () => finish(false) }, t('action.cancel')),
          h('button', { type: 'submit', id: 'confirm-ok', class: danger ? 'btn btn-danger' : 'btn btn-primary' }, ok))));
    dlg.setAttribute('aria-labelledby', 'confirm-title');
    dlg.setAttribute('aria-describedby', 'confirm-message');
    dlg.oncancel = (e) => { e.preventDefault(); finish(false); };
    dlg.showModal();
    // Cancel is the safe default for destructive questions.
    document.getElementById('confirm-cancel').focus();
  });
}

let toastTimer = 0;

/** Show a plain-words message in the dismissible #toast banner. */
export function toast(message, kind = 'error') {
  const el = document.getElementById('toast');
  clearTimeout(toastTimer);
  mount(el,
    h('span', { class: 'toast-text' }, message),
    h('button', { type: 'button', class: 'toast-close', 'aria-label': t('action.dismiss'), onClick: hideToast }, '×'));
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  if (kind !== 'error') toastTimer = setTimeout(hideToast, 4000);
}

export function hideToast() {
  const el = document.getElementById('toast');
  el.hidden = true;
  el.replaceChildren();
}

/** Report a failed backend call to the officer. */
export function showError(err) {
  console.error(err);
  // While a record form is open the page behind it is inert, so speak inside the form.
  const slot = document.querySelector('#record-dialog[open] .form-message');
  if (slot && !document.getElementById('confirm-dialog').open) {
    mount(slot, h('p', null, errorText(err)));
    slot.hidden = false;
    return;
  }
  toast(errorText(err));
}

/**
 * Delete a record after asking. If the backend answers "conflict" (others depend on it),
 * ask again quoting the count and retry with cascade. Resolves true when something was deleted.
 */
export async function deleteWithConfirm({ name, remove, cascadeMessage, message }) {
  if (!(await confirmDialog(message || t('confirm.delete', { name })))) return false;
  try {
    await remove(false);
    return true;
  } catch (err) {
    if (err.code !== 'conflict') { showError(err); return false; }
    const count = err.count ?? 0;
    const msg = cascadeMessage ? cascadeMessage(count) : t('confirm.cascade', { name, count });
    if (!(await confirmDialog(msg, { ok: t('action.deleteAll') }))) return false;
    try {
      await remove(true);
      return true;
    } catch (err2) {
      showError(err2);
      return false;
    }
  }
}
