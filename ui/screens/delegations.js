//! Delegations tab: invited countries and organizations, their status, seats and liaison.

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { h, userText } from '../dom.js';
import { t, localName, otherName, enumOptions, formatNumber, getLanguage } from '../i18n.js';
import { listView } from '../listview.js';
import { chip, twoNames } from '../table.js';
import { openForm } from '../form.js';
import { showError, toast } from '../dialogs.js';
import { loadCountries, loadOrganizations, namedOptions, officialLabel } from '../lookups.js';

export const delegationName = (d) => localName(d.display_name_en, d.display_name_ko);

export function mountDelegations(panel, ctx) {
  const view = listView({
    caption: () => t('tab.delegations'),
    newLabel: 'new.delegation',
    columns: [
      { key: 'name', label: 'col.delegation', sortable: true, sortValue: delegationName, render: (d) => twoNames(delegationName(d), otherName(d.display_name_en, d.display_name_ko)) },
      { key: 'kind', label: 'field.kind', sortable: true, render: (d) => t(`delegation_kind.${d.kind}`) },
      { key: 'status', label: 'field.status', sortable: true, render: (d) => chip('delegation_status', d.status) },
      { key: 'seats', label: 'col.seats', sortable: true, cls: 'num', sortValue: (d) => d.officials, render: seats },
      { key: 'head_name', label: 'col.head', sortable: true },
      { key: 'liaison_name', label: 'field.liaison_name', sortable: true },
    ],
    load: () => api.delegationList(ctx.eventId),
    searchText: (d) => [d.display_name_en, d.display_name_ko, d.country_code, d.org_code, d.head_name, d.liaison_name, d.liaison_email].join(' '),
    defaultSort: { key: 'name', desc: false },
    open: (d) => edit(d),
    create: () => edit(null),
    remove: (d, cascade) => api.delegationDelete(d.id, cascade),
    rowActions: (d) => [
      { label: t('registration.one'), action: 'form', ariaLabel: t('registration.oneFor', { name: delegationName(d) }), onClick: () => writeForms(d) },
    ],
    // Registration workbooks to send out, in the window's language; returned ones are
    // dropped on the window and import into their delegations.
    toolbar: () => h('button', {
      type: 'button', class: 'btn', id: 'registration-forms', title: t('registration.hint'), onClick: () => writeForms(null),
    }, t('registration.all')),
    rowName: delegationName,
    cascadeMessage: (d, count) => t('confirm.cascadeDelegation', { name: delegationName(d), count: formatNumber(count) }),
    emptyText: () => t('empty.delegations'),
  });
  panel.appendChild(view.el);
  view.refresh();

  const edit = (row) => editDelegation(ctx, row, {
    onSaved: () => { toast(t('toast.saved'), 'info'); view.refresh(); },
    remove: row ? () => view.remove(row) : null,
  });

  async function writeForms(d) {
    try {
      const saved = await api.registrationFormSave(ctx.eventId, d ? d.id : null, getLanguage());
      if (!saved) return;
      toast(d ? t('registration.savedOne', { path: saved.path }) : t('registration.savedAll', { n: formatNumber(saved.files), path: saved.path }), 'info');
    } catch (err) {
      showError(err);
    }
  }

  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

/**
 * The delegation form. `row` is a delegation_list row or a delegation_get record with the same
 * display extras added (display_name_en/ko, head_name); null for a new one.
 * hooks: { onSaved(saved), remove() → Promise<boolean> }.
 */
export async function editDelegation(ctx, row, { onSaved = null, remove = null } = {}) {
  let countries; let orgs; let members = [];
  try {
    [countries, orgs] = await Promise.all([loadCountries(), loadOrganizations()]);
    if (row) {
      const res = await api.officialList(ctx.eventId, { delegation_id: row.id, limit: 1000, sort: 'name' });
      members = res.rows;
    }
  } catch (err) {
    showError(err);
    return;
  }
  const record = row || {
    ...DEFAULTS.delegation, event_id: ctx.eventId,
  };
  openForm({
    title: row ? t('form.editNamed', { name: delegationName(row) }) : t('new.delegation'),
    record,
    tz: ctx.tz,
    fields: [
      { name: 'kind', type: 'select', required: true, options: enumOptions('delegation_kind'), group: 'group.delegation' },
      { name: 'country_code', type: 'select', nullable: true, required: true, options: namedOptions(countries), visibleIf: (v) => v.kind === 'country', group: 'group.delegation' },
      { name: 'org_code', type: 'select', nullable: true, options: namedOptions(orgs), visibleIf: (v) => v.kind === 'organization', group: 'group.delegation' },
      { name: 'name_en', group: 'group.delegation' },
      { name: 'name_ko', group: 'group.delegation' },
      { name: 'status', type: 'select', required: true, options: enumOptions('delegation_status'), group: 'group.delegation' },
      { name: 'seats', type: 'number', min: 0, group: 'group.delegation' },
      {
        name: 'head_official_id', type: 'select', nullable: true, group: 'group.delegation',
        options: members.map((o) => ({ value: o.id, label: officialLabel(o) })),
        initialLabel: row ? row.head_name : '',
      },
      { name: 'liaison_name', group: 'group.liaison' },
      { name: 'liaison_phone', type: 'tel', group: 'group.liaison' },
      { name: 'liaison_email', type: 'email', group: 'group.liaison' },
      { name: 'notes', type: 'textarea', group: 'group.notes' },
    ],
    beforeSave: (r) => (r.kind === 'country' ? { ...r, org_code: null } : { ...r, country_code: null }),
    save: api.delegationSave,
    onSaved,
    remove: row ? remove : null,
  });
}

function seats(d) {
  const over = d.seats > 0 && d.officials > d.seats;
  return h('span', { class: over ? 'seats over' : 'seats', title: over ? t('delegation.overSeats') : null },
    userText(`${formatNumber(d.officials)} / ${formatNumber(d.seats)}`));
}
