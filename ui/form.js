//! The one record form, shown in <dialog id="record-dialog">. Screens describe their fields
//! as data; this module builds labelled inputs, reads them back into a record, and shows the
//! backend's validation errors next to the inputs without losing what the officer typed.

import { h, mount, debounce } from './dom.js';
import { t, fieldErrorText, errorText } from './i18n.js';
import { confirmDialog } from './dialogs.js';
import { toLocalInput, fromLocalInput, parseTypedDate } from './time.js';
import { buildDateField } from './datefield.js';

/**
 * Field: { name, type, label? (i18n key), labelText? (already translated), required?, options?, nullable?, group?, wide?, visibleIf?(values),
 *          search?(q) → Promise<[{value,label}]>, initialLabel?, min?, max?, list? }
 * type: text | textarea | email | tel | number | date | datetime | checkbox | select | lookup
 */
export function openForm({ title, fields, record: opened, tz = 'UTC', save, onSaved, remove = null, beforeSave = null }) {
  // The version being edited: replaced by the stored one when a save finds it changed since.
  let record = opened;
  const dlg = document.getElementById('record-dialog');
  const inputs = new Map();
  const wrappers = new Map();
  const message = h('div', { class: 'form-message', role: 'alert', hidden: true });

  const groups = [];
  for (const f of fields) {
    const g = f.group || '';
    let last = groups[groups.length - 1];
    if (!last || last.key !== g) { last = { key: g, fields: [] }; groups.push(last); }
    last.fields.push(f);
  }

  const body = h('div', { class: 'form-body' },
    groups.map((g) => {
      const grid = h('div', { class: 'form-grid' }, g.fields.map((f) => buildField(f, record[f.name], tz, inputs, wrappers)));
      return g.key ? h('fieldset', { class: 'form-group' }, h('legend', null, t(g.key)), grid) : grid;
    }));

  const saveBtn = h('button', { type: 'submit', id: 'form-save', class: 'btn btn-primary' }, t('action.save'));
  const form = h('form', { id: 'record-form', novalidate: true, 'aria-labelledby': 'form-title' },
    h('header', { class: 'dialog-head' }, h('h2', { id: 'form-title', title, dir: 'auto' }, title)),
    message,
    body,
    h('footer', { class: 'dialog-buttons' },
      remove ? h('button', { type: 'button', id: 'form-delete', class: 'btn btn-danger-quiet', onClick: onDelete }, t('action.delete')) : null,
      h('span', { class: 'spacer' }),
      h('span', { class: 'required-note' }, h('span', { class: 'req', 'aria-hidden': 'true' }, '*'), ' ', t('form.requiredNote')),
      h('button', { type: 'button', id: 'form-cancel', class: 'btn', onClick: close }, t('action.cancel')),
      saveBtn));

  function readValues() {
    const out = { ...record };
    for (const f of fields) out[f.name] = readField(f, inputs.get(f.name), tz);
    return out;
  }

  function applyVisibility() {
    const values = readValues();
    for (const f of fields) {
      if (f.visibleIf) wrappers.get(f.name).hidden = !f.visibleIf(values);
    }
  }

  function clearErrors() {
    message.hidden = true;
    message.replaceChildren();
    for (const el of form.querySelectorAll('.field-error')) { el.replaceChildren(); el.hidden = true; }
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  function showMessage(...content) {
    mount(message, ...content);
    message.hidden = false;
  }

  function showValidation(err) {
    let first = null;
    const unplaced = [];
    for (const fe of err.fields) {
      const slot = form.querySelector(`.field-error[data-for="${CSS.escape(fe.field)}"]`);
      const input = inputs.get(fe.field);
      const wrapper = wrappers.get(fe.field);
      const text = fieldErrorText(fe);
      if (slot && input && wrapper && !wrapper.hidden) {
        slot.appendChild(h('span', null, text));
        slot.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        if (!first) first = input;
      } else {
        const f = fields.find((x) => x.name === fe.field);
        unplaced.push(h('li', null, f ? `${t(f.label || `field.${f.name}`)}: ${text}` : text));
      }
    }
    if (unplaced.length || !err.fields.length) {
      showMessage(h('p', null, t('form.fixErrors')), unplaced.length ? h('ul', null, unplaced) : null);
    }
    if (first) first.focus();
    else message.scrollIntoView({ block: 'nearest' });
  }

  // What the inputs held when the form opened (or was last reloaded): a field still equal to
  // it was not touched by the officer.
  let initial = null;
  // Fields the officer typed or chose in. A lookup filling its options after the form opened
  // changes a select's value without anyone touching it; that is no change to ask about.
  const touched = new Set();
  form.addEventListener('input', (e) => { if (e.target && e.target.name) touched.add(e.target.name); });
  form.addEventListener('change', (e) => { if (e.target && e.target.name) touched.add(e.target.name); });
  function changedByOfficer() {
    const now = readValues();
    return [...touched].some((name) => JSON.stringify(now[name]) !== JSON.stringify(initial[name]));
  }

  /** Another window or ddesk saved this record after it was opened: nothing was saved. Reload
   * puts the stored values into every field the officer did not touch and keeps what they
   * typed in the others; the next save is made over the stored version. */
  function showChanged(err) {
    const reload = h('button', { type: 'button', id: 'form-reload', class: 'btn btn-small', onClick: () => {
      const typed = readValues();
      for (const f of fields) {
        if (JSON.stringify(typed[f.name]) === JSON.stringify(initial[f.name])) {
          writeField(f, inputs.get(f.name), err.current[f.name], tz);
        }
      }
      record = err.current;
      initial = readValues();
      applyVisibility();
      showMessage(h('p', null, t('form.reloaded')));
    } }, t('form.reload'));
    showMessage(h('p', null, errorText(err)), reload);
    reload.focus();
  }

  let busy = false;
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    clearErrors();
    const notDates = fields.filter((f) => f.type === 'date' && parseTypedDate(inputs.get(f.name).value) === null);
    if (notDates.length) {
      showValidation({ fields: notDates.map((f) => ({ field: f.name, code: 'not_a_date', message: t('fielderr.not_a_date') })) });
      return;
    }
    let rec = readValues();
    if (beforeSave) rec = beforeSave(rec);
    busy = true;
    saveBtn.disabled = true;
    try {
      const saved = await save(rec);
      done();
      if (onSaved) onSaved(saved);
    } catch (err) {
      // The officer chose not to save after a question (a likely duplicate): the form
      // stays as it is, with nothing to say.
      if (err.code === 'cancelled') return;
      if (err.code === 'validation') showValidation(err);
      else if (err.code === 'changed_since' && err.current) showChanged(err);
      else showMessage(h('p', null, errorText(err)));
    } finally {
      busy = false;
      saveBtn.disabled = false;
    }
  }

  async function onDelete() {
    // The delete flow asks for confirmation in its own dialog on top of this one.
    const deleted = await remove();
    if (deleted) done();
  }

  // A closed form leaves the dialog empty: nothing (an officer's Tab, a test's search) can
  // reach the fields of a form that is gone while the next one is on its way.
  function done() { if (dlg.open) dlg.close(); form.remove(); }
  function close() { done(); }

  form.addEventListener('submit', submit);
  form.addEventListener('input', applyVisibility);
  // A message under a field goes once the officer changes what it was about.
  form.addEventListener('input', (e) => {
    const name = e.target && e.target.name;
    const slot = name && form.querySelector(`.field-error[data-for="${CSS.escape(name)}"]`);
    if (slot && !slot.hidden) {
      slot.replaceChildren();
      slot.hidden = true;
      e.target.removeAttribute('aria-invalid');
    }
  });
  form.addEventListener('change', applyVisibility);
  form.addEventListener('keydown', (e) => {
    // Enter saves from any field except multi-line notes; never while an IME is composing Hangul.
    if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229) return;
    const tag = e.target.tagName;
    if (tag === 'TEXTAREA' || tag === 'BUTTON' || e.shiftKey) return;
    e.preventDefault();
    form.requestSubmit(saveBtn);
  });

  // A field that follows another (f.follow = { from, value(fromValue) }) takes the value that
  // goes with the new one, as long as it still holds the value that went with the old one:
  // what the officer typed there is never overwritten.
  for (const f of fields) {
    if (!f.follow) continue;
    const from = inputs.get(f.follow.from);
    const to = inputs.get(f.name);
    let last = from.value;
    from.addEventListener('change', () => {
      const before = f.follow.value(last);
      last = from.value;
      const next = f.follow.value(from.value);
      if (next && (!to.value || to.value === before)) to.value = next;
    });
  }

  mount(dlg, form);
  dlg.setAttribute('aria-labelledby', 'form-title');
  // Closed from outside (a link to another record closes it itself): emptied all the same,
  // unless the next form is already open in it.
  dlg.onclose = () => { if (!dlg.open && form.parentNode === dlg) form.remove(); };
  // Esc (the dialog's cancel) closes a form at once only when nothing was changed; otherwise
  // it asks first, and answering no (or Esc again) goes back to the form as it was.
  dlg.oncancel = async (e) => {
    e.preventDefault();
    if (!changedByOfficer()) { close(); return; }
    const active = document.activeElement;
    const discard = await confirmDialog(t('form.discardQuestion'), { title: t('form.discardTitle'), ok: t('form.discard') });
    if (discard) close();
    else if (active && dlg.contains(active)) active.focus();
  };
  applyVisibility();
  initial = readValues();
  dlg.showModal();
  const firstInput = body.querySelector('input:not([type=hidden]):not([type=search]), select, textarea');
  if (firstInput) firstInput.focus();
  return { close, readValues };
}

export function isFormOpen() {
  const dlg = document.getElementById('record-dialog');
  return Boolean(dlg && dlg.open);
}

function buildField(f, value, tz, inputs, wrappers) {
  const id = `f-${f.name}`;
  const errId = `err-${f.name}`;
  const label = f.labelText || t(f.label || `field.${f.name}`);
  const common = { id, name: f.name, 'aria-describedby': errId, 'aria-required': f.required ? 'true' : null };
  let control;
  let input;
  switch (f.type) {
    case 'textarea':
      input = control = h('textarea', { ...common, rows: f.rows || 3, value: value ?? '' });
      break;
    case 'checkbox':
      input = h('input', { ...common, type: 'checkbox', checked: Boolean(value) });
      control = input;
      break;
    case 'select':
      input = control = h('select', common, optionsFor(f, value));
      break;
    case 'lookup':
      ({ control, input } = buildLookup(f, value, common, label));
      break;
    case 'datetime':
      input = control = h('input', { ...common, type: 'datetime-local', value: toLocalInput(value, tz) });
      break;
    case 'date':
      // f.calendarFrom: the field whose date an empty one's calendar opens at (an end date's
      // start).
      ({ control, input } = buildDateField(common, value, { near: () => (f.calendarFrom ? inputs.get(f.calendarFrom).value : null) }));
      break;
    case 'multi': {
      // Several of a list, stored as one comma-separated value: a group of checkboxes named
      // by the field's label.
      const chosen = new Set(String(value || '').split(',').filter(Boolean));
      input = control = h('div', { id, class: 'multi-check', role: 'group', 'aria-labelledby': `${id}-label`, 'aria-describedby': errId },
        (f.options || []).map((o) => h('label', { class: 'check-item' },
          h('input', { type: 'checkbox', name: f.name, value: o.value, checked: chosen.has(String(o.value)) }),
          h('span', { dir: 'auto' }, o.label))));
      break;
    }
    case 'number':
      input = control = h('input', { ...common, type: 'number', inputmode: 'numeric', step: '1', min: f.min ?? null, value: value ?? '' });
      break;
    default:
      input = control = h('input', {
        ...common, type: f.type || 'text', value: value ?? '', list: f.list || null, autocomplete: 'off',
        spellcheck: f.type === 'email' ? 'false' : null,
      });
  }
  inputs.set(f.name, input);
  const req = f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;
  const labelEl = f.type === 'multi'
    ? h('span', { id: `${id}-label`, class: 'field-label' }, label, req)
    : h('label', { for: id }, label, req);
  const wrapper = f.type === 'checkbox'
    ? h('div', { class: 'field field-check' }, control, labelEl, errorSlot(f.name, errId))
    : h('div', { class: `field${f.wide || f.type === 'textarea' ? ' field-wide' : ''}` }, labelEl, control, errorSlot(f.name, errId));
  wrappers.set(f.name, wrapper);
  return wrapper;
}

function errorSlot(name, errId) {
  return h('div', { class: 'field-error', id: errId, dataset: { for: name }, hidden: true });
}

function optionsFor(f, value) {
  const opts = [];
  if (f.nullable || f.placeholder) opts.push(h('option', { value: '' }, f.placeholder ? t(f.placeholder) : t('form.none')));
  let found = false;
  for (const o of f.options || []) {
    const sel = String(o.value) === String(value ?? '');
    if (sel) found = true;
    opts.push(h('option', { value: o.value, selected: sel }, o.label));
  }
  // Keep an unknown stored value visible rather than silently replacing it.
  if (value && !found) opts.push(h('option', { value, selected: true }, f.initialLabel || String(value)));
  return opts;
}

/** A select whose options come from a server-side search typed into a filter box above it. */
function buildLookup(f, value, common, label) {
  let chosen = value || '';
  const select = h('select', { ...common, onChange: () => { chosen = select.value; } });
  let current = value ? [{ value, label: f.initialLabel || value }] : [];
  const fill = (options) => {
    const keep = chosen;
    const list = options.slice();
    if (keep && !list.some((o) => o.value === keep)) {
      const known = current.find((o) => o.value === keep);
      if (known) list.unshift(known);
    }
    current = list;
    select.replaceChildren(...optionsFor({ ...f, options: list, initialLabel: f.initialLabel }, keep));
  };
  fill(current);
  const run = async (q) => {
    try { fill(await f.search(q)); } catch (err) { console.error(err); }
  };
  const filter = h('input', {
    type: 'search', class: 'lookup-filter', 'aria-label': t('form.filterFor', { field: label }),
    placeholder: t('form.typeToFilter'), autocomplete: 'off',
    onInput: debounce((e) => run(e.target.value), 150),
  });
  run('');
  return { control: h('div', { class: 'lookup' }, filter, select), input: select };
}

/** Puts a stored value into a field's input (a reload after someone else's save). */
function writeField(f, input, value, tz) {
  switch (f.type) {
    case 'multi': {
      const chosen = new Set(String(value || '').split(',').filter(Boolean));
      for (const box of input.querySelectorAll('input[type=checkbox]')) box.checked = chosen.has(box.value);
      break;
    }
    case 'checkbox': input.checked = Boolean(value); break;
    case 'datetime': input.value = toLocalInput(value, tz); break;
    case 'select':
    case 'lookup':
      if (value && ![...input.options].some((o) => o.value === String(value))) {
        input.appendChild(h('option', { value }, String(value)));
      }
      input.value = value ?? '';
      break;
    default: input.value = value ?? '';
  }
}

function readField(f, input, tz) {
  switch (f.type) {
    case 'multi': return [...input.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value).join(',');
    case 'checkbox': return input.checked;
    case 'number': {
      const v = input.value.trim();
      if (v === '') return 0;
      const n = Number(v);
      return Number.isFinite(n) ? Math.trunc(n) : v;
    }
    case 'date': {
      // Text that is no date is returned as typed; `submit` points at it before any save.
      const parsed = parseTypedDate(input.value);
      return parsed === '' ? null : (parsed || input.value);
    }
    case 'datetime': return input.value ? fromLocalInput(input.value, tz) : null;
    case 'select':
    case 'lookup': return input.value === '' && f.nullable ? null : input.value;
    default: return input.value;
  }
}
