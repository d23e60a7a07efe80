//! Import tab: a registration spreadsheet (XLSX/XLS/ODS/CSV/TSV, any encoding) picked or
//! dropped onto the window, its columns mapped to fields (guessed from English or Korean
//! headers, remembered per header set), every row previewed with its errors, warnings and
//! duplicates side by side, then written all at once — and undoable as one step. Values that
//! name the event's hotels, delegations, countries, categories or diets loosely are listed
//! once each, and the officer maps them for the whole file (remembered for the event). Several
//! files dropped at once (returned registration forms) are imported one after another, each
//! with its own preview and undo.

import * as api from '../api.js';
import { h, mount, userText } from '../dom.js';
import { t, say, has, getLanguage, formatNumber, errorText } from '../i18n.js';
import { showError, toast } from '../dialogs.js';
import { undo } from './safety.js';

const SHOWN = 200;
const ENCODINGS = [['', 'import.encodingAuto'], ['utf-8', 'UTF-8'], ['cp949', 'CP949 / EUC-KR'], ['utf-16le', 'UTF-16 LE'], ['utf-16be', 'UTF-16 BE']];

/** Files handed over by a drop on the window, before the tab was drawn. */
let dropped = [];
export function takeDroppedFiles(files) { dropped = files; }

export function mountImport(panel, ctx) {
  const state = {
    file: null, summary: null, mapping: null, preview: null, decisions: {}, showAll: false, problemsOnly: false, busy: false,
    // Files still to import after this one, and how many there were in all.
    queue: [], total: 1,
    // What duplicates get unless the officer chooses: a returned form's rows update.
    defaultAction: 'skip',
  };
  let fields = [];

  const input = h('input', {
    type: 'file', id: 'import-file', class: 'visually-hidden', accept: '.xlsx,.xlsm,.xls,.xlsb,.ods,.csv,.tsv,.txt', multiple: true,
    // Emptied once taken, so that the next file picked is the only one.
    onChange: () => { if (input.files && input.files.length) { start([...input.files]); input.value = ''; } },
  });
  const drop = h('div', {
    class: 'drop-zone', id: 'import-drop', tabindex: '0', role: 'button', 'aria-describedby': 'import-hint',
    onClick: () => input.click(),
    onKeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } },
  },
  h('strong', null, t('import.choose')),
  h('span', { id: 'import-hint', class: 'muted' }, t('import.hint')));
  const fileBox = h('div', { id: 'import-file-box' });
  const mapBox = h('div', { id: 'import-mapping' });
  const previewBox = h('div', { id: 'import-preview', 'aria-live': 'polite' });
  panel.appendChild(h('section', { class: 'import', 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title', class: 'section-title' }, t('import.title')),
    h('p', { class: 'muted' }, t('import.intro')),
    input, drop, fileBox, mapBox, previewBox));

  api.importFields().then((f) => { fields = f; if (state.summary) paintMapping(); }).catch(showError);
  if (dropped.length) { const files = dropped; dropped = []; start(files); }

  function start(files) {
    state.queue = files.slice(1);
    state.total = files.length;
    open(files[0], {});
  }

  async function open(file, options) {
    state.file = file;
    state.preview = null;
    state.decisions = {};
    state.showAll = false;
    mount(fileBox, h('p', { class: 'muted', role: 'status' }, t('import.reading', { name: file.name })));
    mount(mapBox);
    mount(previewBox);
    try {
      state.summary = await api.importRead(file, options, ctx.eventId);
      state.mapping = state.summary.mapping;
      if (!state.mapping.values) state.mapping.values = {};
      state.defaultAction = state.summary.form ? 'update' : 'skip';
      paintFile();
      paintMapping();
      await runPreview();
    } catch (err) {
      state.summary = null;
      mount(fileBox, h('div', { class: 'import-error', role: 'alert', id: 'import-error' }, errorText(err)));
    }
  }

  function paintFile() {
    const s = state.summary;
    const reread = (change) => open(state.file, {
      sheet: s.sheet, encoding: null, header_row: null, ...change,
    });
    const encoding = h('select', {
      id: 'import-encoding', 'aria-label': t('import.encoding'),
      onChange: () => reread({ encoding: encoding.value || null }),
    }, ENCODINGS.map(([v, label]) => h('option', { value: v, selected: v === '' }, label.startsWith('import.') ? t(label) : label)));
    const sheet = s.sheets.length > 1 ? h('select', {
      id: 'import-sheet', 'aria-label': t('import.sheet'),
      onChange: () => reread({ sheet: sheet.value }),
    }, s.sheets.map((name) => h('option', { value: name, selected: name === s.sheet }, name))) : null;
    const headerRow = h('input', {
      type: 'number', id: 'import-header-row', min: '1', value: String(s.header_row), class: 'narrow-input',
      'aria-label': t('import.headerRow'),
      onChange: () => reread({ header_row: Number(headerRow.value) || null }),
    });
    const position = state.total > 1 ? t('import.fileOf', { k: state.total - state.queue.length, n: state.total }) : null;
    mount(fileBox, h('div', { class: 'import-file-info' },
      position ? h('p', { class: 'muted', id: 'import-position' }, position) : null,
      s.form && s.form_delegation ? h('p', { class: 'import-form-for', id: 'import-form-for' }, t('import.formFor', { name: s.form_delegation })) : null,
      h('p', null, userText(s.file_name, 'title-text'), ' — ',
        t('import.rowsFound', { n: formatNumber(s.rows) }),
        s.encoding ? ` · ${s.encoding}${s.encoding_guessed ? ` (${t('import.guessed')})` : ''}` : ''),
      h('div', { class: 'toolbar' },
        ['csv', 'tsv'].includes(s.format) ? h('label', { class: 'inline-field' }, t('import.encoding'), ' ', encoding) : null,
        sheet ? h('label', { class: 'inline-field' }, t('import.sheet'), ' ', sheet) : null,
        h('label', { class: 'inline-field' }, t('import.headerRow'), ' ', headerRow)),
      s.notes.length ? h('ul', { class: 'import-notes' }, s.notes.map((n) => h('li', { class: `note-${n.severity}` }, messageText(n)))) : null));
  }

  function fieldLabel(f) { return getLanguage() === 'ko' ? f.label_ko : f.label_en; }

  /**
   * A message in the window's language: the catalogue's words for its id and arguments (the
   * engine names the field and the leg in both languages), and the candidates it offers. A
   * record rule's refusal has no id: English keeps its sentence, Korean says its code's words.
   */
  function messageText(m) {
    if (m.text && m.text.id) {
      const offer = m.text.args && m.text.args.candidates ? ` ${say({ id: 'importmsg-candidates', args: m.text.args })}` : '';
      return say(m.text) + offer;
    }
    if (getLanguage() === 'en') return m.message;
    const field = fields.find((f) => f.field === m.field);
    const label = field ? fieldLabel(field) : '';
    if (has(`fielderr.${m.code}`)) return label ? `${label}: ${t(`fielderr.${m.code}`)}` : t(`fielderr.${m.code}`);
    return m.message;
  }


  function paintMapping() {
    const s = state.summary;
    if (!s || !fields.length) return;
    const groups = [...new Set(fields.map((f) => f.group))];
    const rows = s.headers.map((header, i) => {
      const select = h('select', {
        id: `map-${i}`, 'aria-label': t('import.mapFor', { header }),
        onChange: () => { state.mapping.columns[i] = select.value || null; runPreview(); },
      },
      h('option', { value: '' }, t('import.leaveOut')),
      groups.map((g) => h('optgroup', { label: t(`import.group.${g}`) },
        fields.filter((f) => f.group === g).map((f) => h('option', { value: f.field, selected: state.mapping.columns[i] === f.field }, fieldLabel(f))))));
      const samples = s.sample.map((r) => r[i]).filter(Boolean).slice(0, 3).join(' · ');
      return h('tr', { dataset: { column: String(i) } },
        h('td', null, userText(header || t('import.noHeader'))),
        h('td', null, userText(samples, 'cell-text muted')),
        h('td', null, select));
    });
    // A returned form of ours has its columns as they went out: nothing to look at.
    mount(mapBox, h('details', { class: 'import-mapping', open: !s.form },
      h('summary', null, t('import.mappingTitle')),
      h('table', { class: 'table mapping-table', id: 'mapping-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('import.column')), h('th', { scope: 'col' }, t('import.examples')), h('th', { scope: 'col' }, t('import.field')))),
        h('tbody', null, rows))));
  }

  let previewSeq = 0;
  async function runPreview() {
    const my = ++previewSeq;
    mount(previewBox, h('p', { class: 'muted', role: 'status' }, t('import.checking')));
    try {
      const preview = await api.importPreview(ctx.eventId, state.mapping);
      if (my !== previewSeq) return;
      state.preview = preview;
      paintPreview();
    } catch (err) {
      if (my === previewSeq) mount(previewBox, h('div', { class: 'import-error', role: 'alert', id: 'import-error' }, errorText(err)));
    }
  }

  function paintPreview() {
    const p = state.preview;
    const c = p.counts;
    const skipErrors = h('input', { type: 'checkbox', id: 'import-skip-errors', onChange: () => paintPreview.commitState() });
    const problemsOnly = h('input', { type: 'checkbox', id: 'import-problems-only', checked: state.problemsOnly, onChange: () => { state.problemsOnly = problemsOnly.checked; paintPreview(); } });
    const chosen = (r) => state.decisions[r.row] || state.defaultAction;
    const importable = () => p.rows.filter((r) => r.status === 'new' || (r.status === 'duplicate' && chosen(r) !== 'skip')).length;
    const commit = h('button', { type: 'button', class: 'btn btn-primary', id: 'import-commit', onClick: doCommit });
    paintPreview.commitState = () => {
      const n = importable();
      commit.textContent = t('import.commit', { n: formatNumber(n) });
      commit.disabled = state.busy || n === 0 || (c.error > 0 && !skipErrors.checked);
    };
    const rows = p.rows.filter((r) => !state.problemsOnly || r.status !== 'new' || r.messages.length);
    const shown = state.showAll ? rows : rows.slice(0, SHOWN);
    const progress = h('progress', { id: 'import-progress', max: '1', value: '0', hidden: true });
    mount(previewBox,
      h('div', { class: 'import-counts', id: 'import-counts' },
        stat('rows', c.rows), stat('new', c.new), stat('duplicate', c.duplicate), stat('error', c.error), stat('warning', c.warning)),
      p.new_delegations.length ? h('p', { class: 'muted' }, t('import.newDelegations', {
        names: p.new_delegations.map((d) => (getLanguage() === 'ko' && d.name_ko ? d.name_ko : d.name_en)).join(', '),
      })) : null,
      p.notes.length ? h('ul', { class: 'import-notes' }, p.notes.map((n) => h('li', { class: `note-${n.severity}` }, messageText(n)))) : null,
      valuesPanel(p),
      h('div', { class: 'toolbar' },
        h('label', { class: 'inline-field' }, problemsOnly, ' ', t('import.problemsOnly')),
        c.error ? h('label', { class: 'inline-field' }, skipErrors, ' ', t('import.skipErrors', { n: formatNumber(c.error) })) : null,
        h('span', { class: 'spacer' }), progress, commit),
      h('table', { class: 'table preview-table', id: 'preview-table' },
        h('caption', { class: 'visually-hidden' }, t('import.previewTitle')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', class: 'num' }, t('import.row')),
          h('th', { scope: 'col' }, t('field.status')),
          h('th', { scope: 'col' }, t('col.fullName')),
          h('th', { scope: 'col' }, t('col.delegation')),
          h('th', { scope: 'col' }, t('import.messages')))),
        h('tbody', null, shown.map((r) => previewRow(r, chosen)))),
      rows.length > shown.length ? h('button', {
        type: 'button', class: 'btn', id: 'import-show-all', onClick: () => { state.showAll = true; paintPreview(); },
      }, t('import.showAll', { n: formatNumber(rows.length) })) : null);
    paintPreview.commitState();
    paintPreview.progress = progress;
  }

  /**
   * The values of the file read loosely or not found, once each: the officer says what each
   * means for the whole file (or that it means nothing), and the preview runs again.
   */
  function valuesPanel(p) {
    const items = [
      ...p.unmatched.map((u) => ({ field: u.field, from: u.value, to: null, how: 'unmatched', rows: u.rows, candidates: u.candidates })),
      ...p.values.map((v) => ({ field: v.field, from: v.from, to: v.to, how: v.how, rows: v.rows, candidates: [] })),
    ];
    if (!items.length) return null;
    const label = (field) => { const f = fields.find((x) => x.field === field); return f ? fieldLabel(f) : field; };
    const rows = items.map((it, i) => {
      const all = p.value_options[it.field] || [];
      const options = [...it.candidates, ...all.filter((o) => !it.candidates.includes(o))];
      const select = h('select', {
        id: `value-map-${i}`, class: 'value-map', 'aria-label': t('import.valueMapFor', { value: it.from }),
        dataset: { field: it.field, from: it.from },
        onChange: () => {
          const values = state.mapping.values;
          const forField = values[it.field] || (values[it.field] = {});
          if (select.value === '\u0001') delete forField[it.from];
          else forField[it.from] = select.value;
          runPreview();
        },
      },
      it.to === null ? h('option', { value: '\u0001', selected: true }, t('import.valueChoose')) : null,
      h('option', { value: '', selected: it.how === 'mapped' && it.to === '' }, t('import.valueNone')),
      options.map((o) => h('option', { value: o, selected: it.to === o }, o)));
      return h('tr', { class: `value-${it.how}`, dataset: { field: it.field, how: it.how } },
        h('td', null, label(it.field)),
        h('td', null, userText(it.from, 'cell-text')),
        h('td', { class: 'num' }, formatNumber(it.rows)),
        h('td', null, h('span', { class: `chip chip-value-${it.how}` }, t(`import.how.${it.how}`))),
        h('td', null, select));
    });
    return h('details', { class: 'import-values', id: 'import-values', open: true },
      h('summary', null, t('import.valuesTitle'), ` (${formatNumber(items.length)})`),
      h('p', { class: 'muted' }, t('import.valuesHint')),
      h('table', { class: 'table values-table', id: 'values-table' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('import.valueField')),
          h('th', { scope: 'col' }, t('import.valueFrom')),
          h('th', { scope: 'col', class: 'num' }, t('import.valueRows')),
          h('th', { scope: 'col' }, t('import.valueHow')),
          h('th', { scope: 'col' }, t('import.valueTo')))),
        h('tbody', null, rows)));
  }

  function stat(key, n) {
    return h('div', { class: `import-stat import-stat-${key}`, dataset: { stat: key } },
      h('span', { class: 'import-stat-n' }, formatNumber(n)), h('span', null, t(`import.count.${key}`)));
  }

  function previewRow(r, chosen) {
    const o = r.official;
    const name = `${(o.family_name || '').toUpperCase()} ${o.given_name || ''}`.trim();
    const deleg = r.delegation ? (getLanguage() === 'ko' && r.delegation.name_ko ? r.delegation.name_ko : r.delegation.name_en) : '';
    const dup = r.duplicate_of;
    const decision = r.status === 'duplicate' ? h('select', {
      'aria-label': t('import.decisionFor', { row: r.row }), dataset: { row: String(r.row) }, class: 'decision',
      onChange: (e) => { state.decisions[r.row] = e.target.value; paintPreview.commitState(); },
    }, ['skip', 'update', 'new'].map((a) => h('option', { value: a, selected: chosen(r) === a }, t(`import.action.${a}`)))) : null;
    const side = dup ? h('div', { class: 'dup-side' },
      h('span', { class: 'muted' }, t(`import.dupReason.${dup.reason}`), ': '),
      userText(`${(dup.existing.family_name || '').toUpperCase()} ${dup.existing.given_name || ''}`.trim()),
      dup.existing.passport_number ? userText(` · ${dup.existing.passport_number}`, 'cell-text muted') : null,
      dup.existing.email ? userText(` · ${dup.existing.email}`, 'cell-text muted') : null)
      : r.duplicate_in_file ? h('div', { class: 'dup-side muted' }, t('import.dupInFile', { row: r.duplicate_in_file.row, reason: t(`import.dupReason.${r.duplicate_in_file.reason}`) })) : null;
    const changes = r.changes && r.changes.length ? h('ul', { class: 'row-changes', 'aria-label': t('import.changes') },
      r.changes.map((c) => h('li', null,
        h('span', { class: 'muted' }, has(`field.${c.field}`) ? t(`field.${c.field}`) : c.field, ': '),
        userText(c.from || '—', 'cell-text'), ' → ', userText(c.to || '—', 'cell-text name-primary')))) : null;
    return h('tr', { class: `preview-${r.status}`, dataset: { row: String(r.row), status: r.status } },
      h('td', { class: 'num' }, String(r.row)),
      h('td', null, h('span', { class: `chip chip-import-${r.status}` }, t(`import.status.${r.status}`)), decision),
      h('td', null, userText(name, 'cell-text name-primary'), o.native_name ? userText(o.native_name, 'cell-text muted') : null, side, changes),
      h('td', null, userText(deleg)),
      h('td', null, r.messages.length ? h('ul', { class: 'row-messages' }, r.messages.map((m) => h('li', { class: `note-${m.severity}` }, messageText(m)))) : null));
  }

  async function doCommit() {
    const p = state.preview;
    const skip = document.getElementById('import-skip-errors');
    const rows = {};
    for (const [row, action] of Object.entries(state.decisions)) rows[row] = action;
    state.busy = true;
    paintPreview.commitState();
    const bar = paintPreview.progress;
    bar.hidden = false;
    try {
      const report = await api.importCommit(ctx.eventId, state.mapping,
        { default: state.defaultAction, rows, skip_errors: Boolean(skip && skip.checked) },
        (done, total) => { bar.max = String(total || 1); bar.value = String(done); });
      state.busy = false;
      mount(previewBox, h('div', { class: 'import-done', id: 'import-done', role: 'status' },
        h('p', null, t('import.done', {
          created: formatNumber(report.created), updated: formatNumber(report.updated), skipped: formatNumber(report.skipped + report.errors_skipped),
        })),
        h('div', { class: 'toolbar' },
          h('button', {
            type: 'button', class: 'btn', id: 'import-undo',
            onClick: async () => { if (await undo(ctx.eventId)) { toast(t('import.undone'), 'info'); mount(previewBox); } },
          }, t('import.undo')),
          state.queue.length ? h('button', {
            type: 'button', class: 'btn btn-primary', id: 'import-next',
            onClick: () => { const next = state.queue.shift(); open(next, {}); },
          }, t('import.nextFile', { name: state.queue[0].name, k: state.total - state.queue.length + 1, n: state.total })) : null)));
      mount(mapBox);
      toast(t('import.doneToast', { n: formatNumber(report.created + report.updated) }), 'info');
    } catch (err) {
      state.busy = false;
      bar.hidden = true;
      paintPreview.commitState();
      showError(err);
    }
  }

  return { newRecord: () => input.click(), focusSearch: () => drop.focus() };
}
