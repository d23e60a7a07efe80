//! The list every tab shows: a search box (#list-search), optional filter selects, a New
//! button (#list-new), the table (#list-table) and, for server-side lists, a pager.

import { h, mount, markPainted, probing, afterPaint, reportMetric } from './dom.js';
import { t, getLanguage, formatNumber } from './i18n.js';
import { renderTable, sortRows } from './table.js';
import { deleteWithConfirm, showError, toast } from './dialogs.js';

/** Accent- and case-insensitive form used for client-side search. */
export function fold(s) {
  return String(s ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * cfg: {
 *   caption(), columns, emptyText(), newLabel?,
 *   load() → rows                      (client-side list), or
 *   query({search, sort, desc, offset, limit, filters}) → {total, rows}   (server-side list),
 *   filters?: [{ id, key, label, options: [{value,label}] }], pageSize?,
 *   searchText(row), defaultSort {key, desc}, groupBy?(row) (only while sorted by defaultSort),
 *   open(row), create(), remove(row, cascade), rowName(row), cascadeMessage?(row, count),
 *   rowActions?(row) → extra actions, onRowClick?(row) (instead of open), selectedId?()
 *   toolbar?() → extra toolbar elements, before the New button
 *   afterRender?(rows)
 * }
 */
export function listView(cfg) {
  const server = typeof cfg.query === 'function';
  const pageSize = cfg.pageSize || 100;
  const state = { search: '', sort: cfg.defaultSort || null, offset: 0, filters: {}, all: [], rows: [], total: 0, loaded: false };
  let seq = 0;
  /** When the keystroke being answered was typed (benchmark probe only). */
  let typedAt = 0;

  const search = h('input', {
    type: 'search', id: cfg.searchId || 'list-search', class: 'search', 'aria-label': t('list.search'),
    placeholder: t('list.searchPlaceholder'), autocomplete: 'off', spellcheck: 'false',
    // No debounce for engine-side lists: a search answers in a few milliseconds, and answers
    // that arrive after a newer keystroke are dropped (see fetchPage), so the list follows
    // the typing without a pause. Client-side lists filter in place, also at once.
    onInput: () => {
      state.search = search.value;
      state.offset = 0;
      if (probing()) typedAt = performance.now();
      server ? fetchPage() : paint();
    },
  });
  const filterEls = (cfg.filters || []).map((f) => {
    const sel = h('select', {
      id: f.id, 'aria-label': t(f.label),
      onChange: () => { state.filters[f.key] = sel.value || null; state.offset = 0; fetchPage(); },
    }, h('option', { value: '' }, t(f.label)), f.options.map((o) => h('option', { value: o.value }, o.label)));
    return h('label', { class: 'filter' }, h('span', { class: 'visually-hidden' }, t(f.label)), sel);
  });
  const newBtn = h('button', { type: 'button', id: cfg.newId || 'list-new', class: 'btn btn-primary', onClick: () => cfg.create() },
    '+ ', t(cfg.newLabel || 'action.new'));
  const status = h('span', { class: 'list-count', role: 'status' });
  const body = h('div', { class: 'list-body' });
  const pager = server ? h('nav', { class: 'pager', id: 'pager', 'aria-label': t('list.pages') }) : null;
  const el = h('div', { class: 'list-view' },
    h('div', { class: 'toolbar' }, search, filterEls, status, h('span', { class: 'spacer' }), cfg.toolbar ? cfg.toolbar() : null, newBtn),
    body, pager);

  async function fetchPage() {
    const my = ++seq;
    try {
      const res = await cfg.query({
        search: state.search, sort: state.sort ? state.sort.key : null, desc: state.sort ? state.sort.desc : false,
        offset: state.offset, limit: pageSize, filters: state.filters,
      });
      if (my !== seq) return; // a newer request has been sent since; drop this answer
      // The benchmark splits a keystroke's time: the engine's answer, then the page's paint.
      if (typedAt) reportMetric('search_answer', performance.now() - typedAt);
      state.rows = res.rows;
      state.total = res.total;
      state.loaded = true;
      paint();
    } catch (err) {
      if (my === seq) showError(err);
    }
  }

  async function loadAll() {
    const my = ++seq;
    try {
      const rows = await cfg.load();
      if (my !== seq) return;
      state.all = rows;
      state.loaded = true;
      paint();
    } catch (err) {
      if (my === seq) showError(err);
    }
  }

  function paint() {
    if (!server) {
      const q = fold(state.search.trim());
      const matched = q ? state.all.filter((r) => fold(cfg.searchText(r)).includes(q)) : state.all;
      state.rows = sortRows(matched, cfg.columns, state.sort, getLanguage());
      state.total = state.rows.length;
    }
    const focusedId = document.activeElement && body.contains(document.activeElement)
      ? document.activeElement.closest('tr[data-id]')?.dataset.id : null;
    const grouped = cfg.groupBy && (!state.sort || (cfg.defaultSort && state.sort.key === cfg.defaultSort.key));
    mount(body, renderTable({
      id: cfg.tableId || 'list-table',
      caption: cfg.caption(),
      columns: cfg.columns,
      rows: state.rows,
      sort: state.sort,
      onSort: (key) => {
        const desc = state.sort && state.sort.key === key ? !state.sort.desc : false;
        state.sort = { key, desc };
        state.offset = 0;
        server ? fetchPage() : paint();
      },
      onOpen: cfg.onRowClick || cfg.open,
      actions: (row) => [
        ...(cfg.rowActions ? cfg.rowActions(row) : []),
        { label: t('action.delete'), action: 'delete', ariaLabel: t('action.deleteNamed', { name: cfg.rowName(row) }), danger: true, onClick: remove },
      ],
      groupBy: grouped ? cfg.groupBy : null,
      emptyText: state.search || Object.values(state.filters).some(Boolean) ? t('list.noMatches') : cfg.emptyText(),
      selectedId: cfg.selectedId ? cfg.selectedId() : null,
      // A focused row further down must be there to take the focus back.
      firstRows: focusedId ? Infinity : rowsInView(),
    }));
    if (focusedId) {
      const tr = body.querySelector(`tr[data-id="${CSS.escape(focusedId)}"]`);
      if (tr) tr.focus();
    }
    // A paged list counts what the engine found (every match of a search, on every page).
    status.textContent = server ? t('list.count', { n: formatNumber(state.total) }) : (state.search ? t('list.countFiltered', { shown: formatNumber(state.rows.length), total: formatNumber(state.all.length) }) : t('list.count', { n: formatNumber(state.all.length) }));
    if (pager) paintPager();
    markPainted();
    if (typedAt) {
      const from = typedAt;
      typedAt = 0;
      afterPaint(() => reportMetric('search_paint', performance.now() - from));
    }
    if (cfg.afterRender) cfg.afterRender(state.rows);
  }

  /**
   * How many rows the list's area can show at once. The shortest row laid out so far sets the
   * count (read from the table on screen, whose layout is done by then, so the read is free);
   * before any, no row is shorter than 24 px. An officials row is 37 px: counted at 24, a
   * keystroke built and laid out 20 rows where 12 show, half a millisecond each.
   */
  let shortestRow = Infinity;
  function rowsInView() {
    const height = body.clientHeight;
    if (height <= 0) return Infinity;
    for (const tr of body.querySelectorAll('tbody > tr:nth-child(-n+5)')) {
      if (tr.offsetHeight > 0) shortestRow = Math.min(shortestRow, tr.offsetHeight);
    }
    return Math.ceil(height / (Number.isFinite(shortestRow) ? Math.max(24, shortestRow) : 24)) + 2;
  }

  function paintPager() {
    const from = state.total === 0 ? 0 : state.offset + 1;
    const to = Math.min(state.offset + state.rows.length, state.total);
    mount(pager,
      h('button', {
        type: 'button', id: 'page-prev', class: 'btn btn-small', disabled: state.offset === 0,
        onClick: () => { state.offset = Math.max(0, state.offset - pageSize); fetchPage(); },
      }, '‹ ', t('list.prev')),
      h('span', { class: 'pager-text', id: 'pager-text' },
        t('list.range', { from: formatNumber(from), to: formatNumber(to), total: formatNumber(state.total) })),
      h('button', {
        type: 'button', id: 'page-next', class: 'btn btn-small', disabled: state.offset + pageSize >= state.total,
        onClick: () => { state.offset += pageSize; fetchPage(); },
      }, t('list.next'), ' ›'));
  }

  async function remove(row) {
    const deleted = await deleteWithConfirm({
      name: cfg.rowName(row),
      message: cfg.confirmMessage ? cfg.confirmMessage(row) : null,
      remove: (cascade) => cfg.remove(row, cascade),
      cascadeMessage: cfg.cascadeMessage ? (n) => cfg.cascadeMessage(row, n) : null,
    });
    if (deleted) {
      toast(t('toast.deleted', { name: cfg.rowName(row) }), 'info');
      refresh();
      if (cfg.onDeleted) cfg.onDeleted(row);
    }
    return deleted;
  }

  function refresh() { return server ? fetchPage() : loadAll(); }

  return {
    el,
    refresh,
    repaint: () => (state.loaded ? paint() : null),
    remove,
    focusSearch: () => { search.focus(); search.select(); },
    newRecord: () => cfg.create(),
    rows: () => state.rows,
  };
}
