//! Letters tab: the words of each kind of letter (visa invitation, invitation to a delegation,
//! certificate of participation, letter of thanks) in Korean and English, edited beside a live
//! preview of the typeset page for a real recipient; the batch written as PDF, Word or e-mail
//! drafts with a report of who got none and why; the office's letterhead; the register.

import * as api from '../api.js';
import { h, mount, userText, debounce } from '../dom.js';
import { t, say, getLanguage, formatNumber } from '../i18n.js';
import { showError, toast, confirmDialog } from '../dialogs.js';
import { delegationOptions } from '../lookups.js';

const KINDS = ['visa', 'invitation', 'certificate', 'thanks'];
const FIELDS = [
  ['subject', 1], ['recipient', 4], ['body', 14], ['closing', 2], ['email', 5],
];
const LETTERHEAD = [
  'office_en', 'office_ko', 'address_en', 'address_ko', 'phone', 'email',
  'signatory_en', 'signatory_ko', 'title_en', 'title_ko', 'prefix',
];
const FORMATS = ['pdf', 'docx', 'eml'];

// The choices of the last event shown, kept across visits to other tabs.
let remembered = null;

export function mountLetters(panel, ctx) {
  if (!remembered || remembered.eventId !== ctx.eventId) {
    remembered = {
      eventId: ctx.eventId, kind: 'visa', lang: getLanguage(), recipient: '',
      who: 'all', delegation: '', format: 'pdf', paperLang: '', min: 80, attach: false, combined: false,
    };
  }
  const state = remembered;
  let template = null;
  let placeholders = [];
  let recipients = [];
  let delegations = [];
  let lastField = null;
  let dirty = false;
  let previewSeq = 0;

  const kindSelect = h('select', { id: 'letters-kind', onChange: () => switchTo(kindSelect.value, state.lang) },
    KINDS.map((k) => h('option', { value: k, selected: k === state.kind }, t(`letter.kind.${k}`))));
  const langSelect = h('select', { id: 'letters-lang', onChange: () => switchTo(state.kind, langSelect.value) },
    ['en', 'ko'].map((l) => h('option', { value: l, selected: l === state.lang }, t(`letters.lang.${l}`))));
  const inputs = {};
  for (const [name, rows] of FIELDS) {
    const el = rows === 1
      ? h('input', { type: 'text', id: `letters-${name}`, dir: 'auto' })
      : h('textarea', { id: `letters-${name}`, rows: String(rows), dir: 'auto', spellcheck: 'true' });
    el.addEventListener('input', () => { template[name] = el.value; dirty = true; paintStatus(); schedulePreview(); });
    el.addEventListener('focus', () => { lastField = el; });
    inputs[name] = el;
  }
  const phList = h('div', { class: 'letters-placeholders', id: 'letters-placeholders' });
  const problems = h('ul', { class: 'letters-problems', id: 'letters-problems', role: 'alert' });
  const status = h('span', { class: 'muted', id: 'letters-template-status', role: 'status' });
  const saveBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'letters-save', onClick: saveTemplate }, t('letters.save'));
  const resetBtn = h('button', { type: 'button', class: 'btn', id: 'letters-reset', onClick: resetTemplate }, t('letters.reset'));
  const previewFor = h('select', { id: 'letters-preview-for', onChange: () => { state.recipient = previewFor.value; showPreview(); } });
  const preview = h('div', { class: 'letters-preview', id: 'letters-preview', 'aria-live': 'polite' });
  const writeOptions = h('div', { class: 'print-options', id: 'letters-write-options' });
  const writeBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'letters-write', onClick: writeLetters }, t('letters.write'));
  const progress = h('progress', { id: 'letters-progress', max: '1', value: '0', hidden: true });
  const report = h('div', { class: 'letters-report', id: 'letters-report', role: 'status' });
  const headFields = h('div', { class: 'letters-head-grid' });
  const headImages = h('div', { class: 'letters-images' });
  const register = h('div', { id: 'letters-register-list' });

  // Ctrl+S saves the template, as in any editor.
  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's' && panel.contains(document.activeElement)) {
      e.preventDefault();
      saveTemplate();
    }
  };
  panel.addEventListener('keydown', onKey);

  panel.appendChild(h('section', { class: 'letters', 'aria-labelledby': 'letters-title' },
    h('h2', { id: 'letters-title', class: 'section-title' }, t('letters.title')),
    h('div', { class: 'letters-layout' },
      h('div', { class: 'letters-editor' },
        h('div', { class: 'letters-row' },
          h('label', { class: 'field' }, h('span', null, t('letters.kind')), kindSelect),
          h('label', { class: 'field' }, h('span', null, t('letters.language')), langSelect)),
        FIELDS.map(([name]) => h('label', { class: 'field' }, h('span', null, t(`letters.field.${name}`)), inputs[name])),
        problems,
        h('div', { class: 'toolbar' }, saveBtn, resetBtn, status),
        h('details', { class: 'letters-ph-box', open: true },
          h('summary', null, t('letters.placeholders')),
          h('p', { class: 'muted' }, t('letters.placeholders.hint')),
          phList)),
      h('div', { class: 'letters-side' },
        h('label', { class: 'field' }, h('span', null, t('letters.previewFor')), previewFor),
        preview)),
    h('section', { class: 'output-section letters-write', 'aria-labelledby': 'letters-write-title' },
      h('h3', { id: 'letters-write-title', class: 'section-title' }, t('letters.writeTitle')),
      writeOptions,
      h('div', { class: 'toolbar' }, writeBtn),
      progress, report),
    h('details', { class: 'letters-details', id: 'letters-letterhead' },
      h('summary', null, t('letters.letterhead')),
      h('p', { class: 'muted' }, t('letters.letterhead.hint')),
      headFields, headImages,
      h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'btn btn-primary', id: 'letters-head-save', onClick: saveHead }, t('letters.letterhead.save')))),
    h('details', { class: 'letters-details', id: 'letters-register', onToggle: (e) => { if (e.target.open) paintRegister(); } },
      h('summary', null, t('letters.register')),
      h('p', { class: 'muted' }, t('letters.register.hint')),
      register)));

  switchTo(state.kind, state.lang);
  loadHead();
  api.delegationList(ctx.eventId).then((list) => { delegations = list; paintWrite(); }).catch(showError);

  async function switchTo(kind, lang) {
    if (dirty && template && !(await confirmDialog(t('letters.discard'), { ok: t('letters.discard.ok') }))) {
      kindSelect.value = state.kind;
      langSelect.value = state.lang;
      return;
    }
    const kindChanged = kind !== state.kind || !recipients.length;
    state.kind = kind;
    state.lang = lang;
    try {
      const view = await api.letterTemplateGet(kind, lang);
      template = view.template;
      placeholders = view.placeholders;
      dirty = false;
      for (const [name] of FIELDS) inputs[name].value = template[name];
      paintStatus(view.own);
      paintPlaceholders();
      if (kindChanged) {
        recipients = await api.letterRecipients(ctx.eventId, kind);
        if (!recipients.some((r) => r.id === state.recipient)) state.recipient = recipients[0] ? recipients[0].id : '';
        mount(previewFor, recipients.map((r) => h('option', { value: r.id, selected: r.id === state.recipient }, r.label)));
      }
      paintWrite();
      showPreview();
    } catch (err) { showError(err); }
  }

  function paintStatus(own) {
    if (own !== undefined) status.dataset.own = own ? '1' : '0';
    status.textContent = dirty ? t('letters.unsaved') : status.dataset.own === '1' ? t('letters.own') : t('letters.default');
  }

  function paintPlaceholders() {
    mount(phList, placeholders.map((name) => h('button', {
      type: 'button', class: 'letters-ph', dataset: { name }, title: t(`letter.ph.${name}`),
      onClick: () => insert(`{{${name}}}`),
    }, h('code', null, `{{${name}}}`), ' ', h('span', { class: 'muted' }, t(`letter.ph.${name}`)))));
  }

  /** Puts `text` at the caret of the field last typed in (the body when none). */
  function insert(text) {
    const el = lastField || inputs.body;
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? start;
    el.value = el.value.slice(0, start) + text + el.value.slice(end);
    el.focus();
    el.selectionStart = el.selectionEnd = start + text.length;
    el.dispatchEvent(new Event('input'));
  }

  const schedulePreview = debounce(showPreview, 250);

  async function showPreview() {
    if (!template) return;
    const my = ++previewSeq;
    try {
      const p = await api.letterPreview(ctx.eventId, template, state.recipient, Number(state.min));
      if (my !== previewSeq || !panel.isConnected) return;
      mount(problems, p.problems.map((x) => h('li', { class: `letters-problem letters-problem-${x.code}`, dataset: { code: x.code, field: x.field } },
        x.code === 'missing' ? '' : `${t(`letters.field.${x.field}`)}: `, say(x.text))));
      mount(preview,
        p.refused ? h('p', { class: 'print-warning', id: 'letters-refused' }, say(p.refused)) : null,
        h('img', { src: p.image, class: 'print-page', id: 'letters-preview-page', alt: t('letters.previewAlt', { who: p.recipient }), dataset: { pages: String(p.pages) } }),
        p.pages > 1 ? h('p', { class: 'muted' }, t('letters.morePages', { n: formatNumber(p.pages) })) : null);
    } catch (err) {
      if (my !== previewSeq) return;
      mount(preview, h('div', { class: 'import-error', role: 'alert', id: 'letters-preview-error' }, err.text ? say(err.text) : err.message));
    }
  }

  async function saveTemplate() {
    try {
      await api.letterTemplateSave(template);
      dirty = false;
      paintStatus(true);
      toast(t('letters.saved'), 'info');
    } catch (err) { showError(err); }
  }

  async function resetTemplate() {
    if (!(await confirmDialog(t('letters.reset.confirm'), { ok: t('letters.reset') }))) return;
    try {
      await api.letterTemplateReset(state.kind, state.lang);
      dirty = false;
      await switchTo(state.kind, state.lang);
    } catch (err) { showError(err); }
  }

  function forDelegations() { return state.kind === 'invitation' || state.kind === 'thanks'; }

  function select(id, label, values, current, onChange) {
    const el = h('select', { id, onChange: () => onChange(el.value) },
      values.map(([v, text]) => h('option', { value: v, selected: v === current }, text)));
    return h('label', { class: 'field' }, h('span', null, t(label)), el);
  }

  function paintWrite() {
    const who = forDelegations() ? ['all', 'delegation'] : ['all', 'delegation', 'one'];
    if (!who.includes(state.who)) state.who = 'all';
    const parts = [
      select('letters-who', 'letters.who', who.map((w) => [w, t(`letters.who.${w}${forDelegations() && w === 'delegation' ? '.one' : ''}`)]), state.who, (v) => { state.who = v; paintWrite(); }),
    ];
    if (state.who === 'delegation') {
      const options = delegationOptions(delegations);
      if (!options.some((o) => o.value === state.delegation)) state.delegation = options[0] ? options[0].value : '';
      parts.push(select('letters-delegation', 'output.delegation', options.map((o) => [o.value, o.label]), state.delegation, (v) => { state.delegation = v; }));
    }
    if (state.who === 'one') parts.push(h('p', { class: 'muted', id: 'letters-one-hint' }, t('letters.oneHint')));
    parts.push(select('letters-format', 'output.format', FORMATS.map((f) => [f, t(`letters.format.${f}`)]), state.format, (v) => { state.format = v; paintWrite(); }));
    parts.push(select('letters-paper-lang', 'letters.paperLang', [['', t('letters.paperLang.own')], ['en', t('letters.lang.en')], ['ko', t('letters.lang.ko')]], state.paperLang, (v) => { state.paperLang = v; }));
    if (state.kind === 'certificate') {
      const min = h('input', { type: 'number', id: 'letters-min', min: '0', max: '100', step: '5', value: String(state.min),
        onChange: () => { state.min = Math.max(0, Math.min(100, Number(min.value) || 0)); min.value = String(state.min); showPreview(); } });
      parts.push(h('label', { class: 'field' }, h('span', null, t('letters.min')), min));
    }
    if (state.format === 'eml') {
      parts.push(h('label', { class: 'check-item', for: 'letters-attach' },
        h('input', { type: 'checkbox', id: 'letters-attach', checked: state.attach, onChange: (e) => { state.attach = e.target.checked; } }), ' ', t('letters.attach')));
    }
    if (state.format === 'pdf' && state.who !== 'one' && !(forDelegations() && state.who === 'delegation')) {
      parts.push(h('label', { class: 'check-item', for: 'letters-combined' },
        h('input', { type: 'checkbox', id: 'letters-combined', checked: state.combined, onChange: (e) => { state.combined = e.target.checked; } }), ' ', t('letters.combined')));
    }
    mount(writeOptions, parts);
  }

  async function writeLetters() {
    let recipientsScope;
    if (state.who === 'one') {
      if (!state.recipient) { toast(t('letters.noRecipient')); return; }
      recipientsScope = { kind: 'official', id: state.recipient };
    } else if (state.who === 'delegation') {
      if (!state.delegation) { toast(t('output.chooseDelegation')); return; }
      recipientsScope = { kind: 'delegation', id: state.delegation };
    } else {
      recipientsScope = { kind: 'all' };
    }
    if (dirty) await saveTemplate();
    if (dirty) return;
    const request = {
      event_id: ctx.eventId, kind: state.kind, recipients: recipientsScope, format: state.format,
      lang: state.paperLang || null, min_attendance: Number(state.min), attach_itinerary: state.attach,
      combined: state.format === 'pdf' && state.combined,
    };
    writeBtn.disabled = true;
    mount(report, t('output.making'));
    const onProgress = (done, total) => {
      progress.hidden = false;
      progress.max = String(Math.max(1, total));
      progress.value = String(done);
      report.textContent = t('output.progress', { done: formatNumber(done), total: formatNumber(total) });
    };
    try {
      const written = await api.letterWrite(request, onProgress);
      progress.hidden = true;
      if (!written) { report.textContent = ''; return; }
      const skipped = written.skipped.length
        ? h('div', { id: 'letters-skipped' },
          h('p', { class: 'print-warning' }, t('letters.skipped', { n: formatNumber(written.skipped.length) })),
          h('ul', { class: 'letters-skipped-list' }, written.skipped.map((s) => h('li', { dataset: { id: s.recipient_id } }, userText(s.recipient), ': ', say(s.reason)))))
        : null;
      mount(report,
        h('p', { id: 'letters-written', dataset: { files: String(written.files) } },
          t('letters.written', { n: formatNumber(written.files) }), ' ',
          written.path ? userText(written.path) : null, ' ',
          written.token ? h('button', { type: 'button', class: 'btn btn-small', id: 'letters-open', onClick: () => api.outputOpen(written.token).catch(showError) }, t('output.open')) : null),
        skipped);
      if (written.files) toast(t('letters.written', { n: formatNumber(written.files) }), 'info');
      if (panel.querySelector('#letters-register').open) paintRegister();
    } catch (err) {
      progress.hidden = true;
      report.textContent = '';
      showError(err);
    } finally {
      writeBtn.disabled = false;
    }
  }

  let head = null;
  async function loadHead() {
    try {
      const view = await api.letterheadGet();
      head = view.letterhead;
      mount(headFields, LETTERHEAD.map((f) => h('label', { class: 'field' }, h('span', null, t(`letters.head.${f}`)),
        h('input', { type: 'text', id: `letters-head-${f}`, value: head[f] || '', dir: 'auto', onInput: (e) => { head[f] = e.target.value; } }))));
      mount(headImages, ['logo', 'seal'].map((name) => image(name, view[name])));
    } catch (err) { showError(err); }
  }

  function image(name, src) {
    const file = h('input', {
      type: 'file', id: `letters-${name}-file`, accept: 'image/png,image/jpeg,image/svg+xml,.png,.jpg,.jpeg,.svg',
      onChange: async () => {
        const chosen = file.files[0];
        if (!chosen) return;
        try {
          const bytes = new Uint8Array(await chosen.arrayBuffer());
          let text = '';
          for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          await api.letterImageSave(name, btoa(text));
          await loadHead();
          showPreview();
        } catch (err) { showError(err); }
      },
    });
    const remove = h('button', { type: 'button', class: 'btn btn-small', id: `letters-${name}-remove`, hidden: !src,
      onClick: async () => { try { await api.letterImageSave(name, null); await loadHead(); showPreview(); } catch (err) { showError(err); } } }, t('letters.image.remove'));
    return h('div', { class: 'letters-image' },
      h('label', { for: `letters-${name}-file` }, t(`letters.image.${name}`)),
      src ? h('img', { src, alt: t(`letters.image.${name}`), class: 'letters-image-preview' }) : h('span', { class: 'muted' }, t('letters.image.none')),
      file, remove);
  }

  async function saveHead() {
    try {
      await api.letterheadSave(head);
      toast(t('letters.letterhead.saved'), 'info');
      showPreview();
    } catch (err) { showError(err); }
  }

  async function paintRegister() {
    try {
      const list = await api.letterRegister(ctx.eventId);
      if (!list.length) { mount(register, h('p', { class: 'muted', id: 'letters-register-empty' }, t('letters.register.empty'))); return; }
      const cols = ['number', 'kind', 'recipient', 'lang', 'format', 'last', 'times', 'officer'];
      mount(register, h('table', { class: 'data-table', id: 'letters-register-table' },
        h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, t(`letters.reg.${c}`))))),
        h('tbody', null, list.map((e) => h('tr', null,
          h('td', null, userText(e.number)), h('td', null, t(`letter.kind.${e.kind}`)), h('td', null, userText(e.recipient)),
          h('td', null, e.lang), h('td', null, e.format), h('td', null, new Date(e.last_issued_at).toLocaleString(getLanguage())),
          h('td', null, formatNumber(e.times)), h('td', null, userText(e.officer)))))),
      h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'btn', id: 'letters-register-export', onClick: exportRegister }, t('letters.register.export'))));
    } catch (err) { showError(err); }
  }

  async function exportRegister() {
    try {
      const saved = await api.exportSave({ event_id: ctx.eventId, tables: ['letters'], format: 'xlsx', language: getLanguage() });
      if (saved) toast(t('output.savedTo') + ' ' + saved.path, 'info');
    } catch (err) { showError(err); }
  }

  return {
    newRecord: () => {},
    focusSearch: () => kindSelect.focus(),
    destroy: () => panel.removeEventListener('keydown', onKey),
  };
}
