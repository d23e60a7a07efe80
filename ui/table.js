//! The one table component: sticky header, sortable columns (aria-sort), rows that open on
//! click or Enter, an actions column, optional day groups and an empty state.

import { h, userText, afterPaint } from './dom.js';
import { t } from './i18n.js';

/**
 * columns: [{ key, label (i18n key), render?(row) → node|string, sortable?, cls?, width? }]
 * The table lays out with fixed column widths: numbers, times and chips get a narrow fixed
 * width (or the column's own `width`), and the text columns share the rest equally, so a
 * 2,000-character name can never push the other columns off the screen.
 * sort: { key, desc } | null;  onSort(key) is called when a sortable header is activated.
 * onOpen(row) on row click/Enter; actions(row) → [{ label, ariaLabel, onClick, danger }].
 * groupBy(row) → label|null starts a new group row whenever the label changes.
 * firstRows: how many rows to put in the first frame; the others follow a moment later
 * (REST_AFTER_MS). A list passes what its window can show, so a search answer of 100 rows is
 * on screen after the layout of the rows one sees, not of all of them.
 */
/** Widths for the narrow kinds of column; text columns take what is left. */
const NARROW_BY_KEY = {
  status: '124px', category: '176px', kind: '118px', direction: '104px', pickup: '112px',
  role: '150px', attended: '96px', flight: '92px',
};
const NARROW_BY_CLASS = { num: '124px', 'col-time': '150px', center: '96px' };

/** How long after its first rows a table waits for the rest: about one keystroke's gap. */
const REST_AFTER_MS = 200;

function columnWidth(col) {
  return col.width || NARROW_BY_KEY[col.key] || NARROW_BY_CLASS[col.cls] || null;
}

export function renderTable({
  id, caption, columns, rows, sort = null, onSort = null, onOpen = null, actions = null,
  groupBy = null, emptyText = '', selectedId = null, firstRows = Infinity,
}) {
  const head = h('tr', null,
    columns.map((col) => {
      const active = sort && sort.key === col.key;
      const ariaSort = col.sortable ? (active ? (sort.desc ? 'descending' : 'ascending') : 'none') : null;
      const label = t(col.label);
      const content = col.sortable && onSort
        ? h('button', { type: 'button', class: 'sort-btn', dataset: { sort: col.key }, onClick: () => onSort(col.key) },
          label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.desc ? '▼' : '▲') : ''))
        : label;
      return h('th', { scope: 'col', class: col.cls || null, 'aria-sort': ariaSort, dataset: { key: col.key } }, content);
    }),
    actions ? h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, t('col.actions'))) : null);

  const body = h('tbody');
  let lastGroup = null;
  const colCount = columns.length + (actions ? 1 : 0);
  function addRow(row) {
    if (groupBy) {
      const g = groupBy(row);
      if (g !== lastGroup) {
        lastGroup = g;
        body.appendChild(h('tr', { class: 'group-row' }, h('th', { scope: 'rowgroup', colspan: colCount }, g)));
      }
    }
    const tr = h('tr', {
      dataset: { id: row.id }, tabindex: onOpen ? '0' : null, class: row.id === selectedId ? 'selected' : null,
      'aria-selected': selectedId ? String(row.id === selectedId) : null,
    },
    columns.map((col) => h('td', { class: col.cls || null }, cellContent(col, row))),
    actions ? h('td', { class: 'col-actions' },
      actions(row).map((a) => h('button', {
        type: 'button', class: a.danger ? 'btn btn-small btn-danger-quiet' : 'btn btn-small',
        'aria-label': a.ariaLabel || null, dataset: { action: a.action || '' },
        onClick: (e) => { e.stopPropagation(); a.onClick(row); },
      }, a.label))) : null);
    if (onOpen) {
      tr.addEventListener('click', (e) => {
        if (e.target.closest('button, a, input, select, textarea, label')) return;
        onOpen(row);
      });
      tr.addEventListener('keydown', (e) => {
        if (e.target !== tr) return;
        if (e.key === 'Enter') { e.preventDefault(); onOpen(row); }
        else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          let next = e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
          while (next && !next.dataset.id) next = e.key === 'ArrowDown' ? next.nextElementSibling : next.previousElementSibling;
          if (next) next.focus();
        }
      });
    }
    body.appendChild(tr);
  }
  const first = Math.max(1, Math.min(rows.length, firstRows));
  rows.slice(0, first).forEach(addRow);
  if (first < rows.length) {
    // A moment after the frame with the first rows has been painted: while the officer types,
    // the next keystroke's answer replaces this table before then, and the rows no one saw are
    // never laid out in the way of that answer. A table replaced meanwhile is left as it is.
    afterPaint(() => setTimeout(() => { if (body.isConnected) rows.slice(first).forEach(addRow); }, REST_AFTER_MS));
  }

  const cols = columns.map((col) => {
    const c = h('col');
    const width = columnWidth(col);
    if (width) c.style.width = width;
    return c;
  });
  if (actions) {
    // Room for the row's buttons, by their labels: a fixed width per button cut "Remove"
    // short (Hangul and other wide letters take about twice a Latin one).
    const labels = rows.length ? actions(rows[0]).map((a) => a.label) : ['Delete'];
    const wide = (ch) => /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(ch);
    const buttonWidth = (label) => [...label].reduce((w, ch) => w + (wide(ch) ? 13.5 : 7.6), 0) + 28;
    const c = h('col');
    c.style.width = `${Math.ceil(16 + labels.reduce((w, l) => w + buttonWidth(l), 0))}px`;
    cols.push(c);
  }
  const table = h('table', { id: id || null, class: 'data-table' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('colgroup', null, cols),
    h('thead', null, head), body);
  return h('div', { class: 'table-wrap' }, table,
    rows.length === 0 ? h('p', { class: 'empty-state', role: 'status' }, emptyText) : null);
}

function cellContent(col, row) {
  if (col.render) {
    const out = col.render(row);
    return typeof out === 'string' || typeof out === 'number' ? userText(out) : out;
  }
  return userText(row[col.key]);
}

/** A coloured chip for an enumeration value (status, category, kind). */
export function chip(group, value, label = null) {
  if (!value) return '';
  return h('span', { class: `chip chip-${group}-${value}` }, label || t(`${group}.${value}`));
}

/** Primary name with the other language smaller, both as isolated user text. */
export function twoNames(primary, secondary) {
  return h('span', { class: 'two-names' },
    userText(primary || secondary || '', 'cell-text name-primary'),
    primary && secondary && primary !== secondary ? userText(secondary, 'cell-text name-secondary') : null);
}

/** Client-side sorting that understands Korean and numbers. */
export function sortRows(rows, columns, sort, lang) {
  if (!sort) return rows;
  const col = columns.find((c) => c.key === sort.key);
  if (!col) return rows;
  const value = col.sortValue || ((r) => r[col.key]);
  const coll = new Intl.Collator(lang === 'ko' ? 'ko' : 'en', { numeric: true, sensitivity: 'base' });
  const out = rows.slice().sort((a, b) => {
    const va = value(a); const vb = value(b);
    if (typeof va === 'number' && typeof vb === 'number') return va - vb;
    return coll.compare(va == null ? '' : String(va), vb == null ? '' : String(vb));
  });
  return sort.desc ? out.reverse() : out;
}
