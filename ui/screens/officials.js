//! Officials tab: the event's people, searched, filtered, sorted and paged by the backend
//! (an event can hold tens of thousands), with the full official form.

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { h, userText, whenPainted } from '../dom.js';
import { t, localName, enumOptions, getLanguage } from '../i18n.js';
import { listView } from '../listview.js';
import { chip } from '../table.js';
import { openForm } from '../form.js';
import { showError, toast, confirmDialog } from '../dialogs.js';
import { loadCountries, namedOptions, delegationOptions } from '../lookups.js';

export function mountOfficials(panel, ctx) {
  let view = null;
  let delegations = [];
  const ready = (async () => {
    try {
      delegations = await api.delegationList(ctx.eventId);
    } catch (err) {
      showError(err);
    }
    const delegOpts = delegationOptions(delegations);
    view = listView({
      caption: () => t('tab.officials'),
      newLabel: 'new.official',
      columns: [
        { key: 'name', label: 'col.fullName', sortable: true, render: (o) => userText(o.full_name, 'cell-text name-primary') },
        { key: 'native_name', label: 'field.native_name' },
        { key: 'badge_name', label: 'field.badge_name' },
        { key: 'delegation', label: 'col.delegation', sortable: true, render: (o) => localName(o.delegation_name_en, o.delegation_name_ko) },
        { key: 'position', label: 'field.position' },
        { key: 'category', label: 'field.category', sortable: true, render: (o) => chip('category', o.category) },
        { key: 'status', label: 'field.status', sortable: true, render: (o) => chip('official_status', o.status) },
      ],
      filters: [
        { id: 'filter-delegation', key: 'delegation_id', label: 'filter.allDelegations', options: delegOpts },
        { id: 'filter-category', key: 'category', label: 'filter.allCategories', options: enumOptions('category') },
        { id: 'filter-status', key: 'status', label: 'filter.allStatuses', options: enumOptions('official_status') },
      ],
      query: (q) => api.officialList(ctx.eventId, {
        search: q.search.trim(), sort: q.sort || 'name', desc: q.desc, offset: q.offset, limit: q.limit,
        delegation_id: q.filters.delegation_id || null, category: q.filters.category || null, status: q.filters.status || null,
      }),
      pageSize: 100,
      defaultSort: { key: 'name', desc: false },
      open: (o) => edit(o),
      create: () => edit(null),
      remove: (o, cascade) => api.officialDelete(o.id, cascade),
      rowName: (o) => o.full_name,
      confirmMessage: (o) => t('confirm.deleteOfficial', { name: o.full_name }),
      emptyText: () => t('empty.officials'),
    });
    panel.appendChild(view.el);
    // Once the first page is on screen, the engine reads the search index ahead of the
    // officer's first keystroke (a cold read of it made that keystroke several times slower).
    view.refresh().then(() => whenPainted(() => api.officialSearchWarm(ctx.eventId).catch(() => {})));
  })();

  async function edit(row) {
    const filterDeleg = document.getElementById('filter-delegation');
    let record = null;
    if (row) {
      // A list row holds what the list shows; the form edits the whole record, as it is now.
      try {
        record = { ...(await api.officialGet(row.id)), full_name: row.full_name };
      } catch (err) {
        showError(err);
        return;
      }
    }
    return editOfficial(ctx, record, {
      delegations,
      delegationId: (filterDeleg && filterDeleg.value) || null,
      onSaved: () => { toast(t('toast.saved'), 'info'); view.refresh(); },
      remove: row ? () => view.remove(row) : null,
    });
  }

  return {
    newRecord: () => edit(null),
    focusSearch: () => ready.then(() => view.focusSearch()),
  };
}

/**
 * The official form. `row` is an official_get record with full_name added; null for a new
 * one. hooks: { delegations? (fetched when absent), delegationId? (for a
 * new official), onSaved(saved), remove() → Promise<boolean> }.
 */
export async function editOfficial(ctx, row, { delegations = null, delegationId = null, onSaved = null, remove = null } = {}) {
  let countries;
  let ranks;
  let delegs = delegations;
  try {
    [countries, delegs, ranks] = await Promise.all([loadCountries(), delegs ? Promise.resolve(delegs) : api.delegationList(ctx.eventId), api.protocolRanks()]);
  } catch (err) {
    showError(err);
    return;
  }
  const record = row || {
    ...DEFAULTS.official, event_id: ctx.eventId, delegation_id: delegationId,
  };
  const countryOpts = namedOptions(countries);
  openForm({
    title: row ? t('form.editNamed', { name: row.full_name }) : t('new.official'),
    record,
    tz: ctx.tz,
    fields: [
      { name: 'honorific', group: 'group.identity' },
      { name: 'family_name', required: true, group: 'group.identity' },
      { name: 'given_name', group: 'group.identity' },
      { name: 'native_name', group: 'group.identity' },
      { name: 'badge_name', group: 'group.identity' },
      { name: 'gender', type: 'select', options: enumOptions('gender'), group: 'group.identity' },
      { name: 'nationality', type: 'select', placeholder: 'form.none', options: countryOpts, group: 'group.identity' },
      { name: 'birth_date', type: 'date', group: 'group.identity' },
      { name: 'delegation_id', type: 'select', nullable: true, options: delegationOptions(delegs), group: 'group.role' },
      { name: 'position', group: 'group.role' },
      { name: 'organization', group: 'group.role' },
      { name: 'category', type: 'select', required: true, options: enumOptions('category'), group: 'group.role' },
      { name: 'protocol_rank', type: 'select', placeholder: 'form.none', options: ranks.map((r) => ({ value: r.code, label: localName(r.name_en, r.name_ko) })), group: 'group.role' },
      { name: 'status', type: 'select', required: true, options: enumOptions('official_status'), group: 'group.role' },
      { name: 'email', type: 'email', group: 'group.contact' },
      { name: 'phone', type: 'tel', group: 'group.contact' },
      { name: 'language', type: 'select', options: enumOptions('language'), group: 'group.contact' },
      { name: 'interpretation_language', group: 'group.contact' },
      { name: 'passport_number', group: 'group.passport' },
      { name: 'passport_expiry', type: 'date', group: 'group.passport' },
      { name: 'dietary', wide: true, group: 'group.needs' },
      { name: 'accessibility', wide: true, group: 'group.needs' },
      { name: 'lodges_elsewhere', type: 'checkbox', group: 'group.needs' },
      { name: 'notes', type: 'textarea', group: 'group.notes' },
    ],
    save: (rec) => saveUnlessLookalike(rec),
    onSaved,
    remove: row ? remove : null,
  });

  /**
   * A new official, or one whose name, delegation or papers changed, is first compared with
   * the event's officials by the dashboard's same-person rule: a likely second copy asks
   * before it is made, and offers the first.
   */
  async function saveUnlessLookalike(rec) {
    const identity = ['family_name', 'given_name', 'delegation_id', 'nationality', 'birth_date', 'passport_number', 'email'];
    const changed = !rec.id || identity.some((k) => (rec[k] || '') !== (record[k] || ''));
    const like = changed ? await api.officialLookalikes(rec) : [];
    if (like.length) {
      const ko = getLanguage() === 'ko';
      const open = (l) => async () => {
        document.getElementById('confirm-cancel').click();
        const dlg = document.getElementById('record-dialog');
        if (dlg && dlg.open) dlg.close();
        try {
          const existing = await api.officialGet(l.official_id);
          editOfficial(ctx, { ...existing, full_name: l.name }, { delegations: delegs, onSaved });
        } catch (err) { showError(err); }
      };
      const go = await confirmDialog(like.map((l) => h('p', { class: 'lookalike' },
        t('dup.looksLike', { name: l.name, reason: ko ? l.reason_ko : l.reason_en }), ' ',
        h('button', { type: 'button', class: 'btn btn-small lookalike-open', dataset: { id: l.official_id }, onClick: open(l) }, t('dup.open', { name: l.name })))),
      { title: t('dup.title'), ok: t('dup.saveAnyway'), danger: false });
      if (!go) {
        const err = new Error('cancelled');
        err.code = 'cancelled';
        throw err;
      }
    }
    return api.officialSave(rec);
  }
}
