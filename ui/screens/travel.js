//! Travel tab: arrival and departure legs, times shown and typed in the event's time zone.

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { h } from '../dom.js';
import { t, localName, enumOptions, getLanguage } from '../i18n.js';
import { listView } from '../listview.js';
import { chip, twoNames } from '../table.js';
import { openForm } from '../form.js';
import { toast } from '../dialogs.js';
import { formatInstant } from '../time.js';
import { officialSearch } from '../lookups.js';

const label = (r) => `${r.full_name || ''} ${r.flight || ''}`.trim();

export function mountTravel(panel, ctx) {
  const view = listView({
    caption: () => t('tab.travel'),
    newLabel: 'new.travel',
    columns: [
      { key: 'full_name', label: 'col.official', sortable: true, render: (r) => twoNames(r.full_name, r.native_name) },
      { key: 'delegation', label: 'col.delegation', sortable: true, sortValue: (r) => localName(r.delegation_name_en, r.delegation_name_ko), render: (r) => localName(r.delegation_name_en, r.delegation_name_ko) },
      { key: 'direction', label: 'field.direction', sortable: true, render: (r) => chip('direction', r.direction) },
      { key: 'flight', label: 'field.flight', sortable: true },
      { key: 'route', label: 'col.route', sortable: true, sortValue: route, render: route },
      { key: 'scheduled_at', label: 'col.localTime', sortable: true, cls: 'col-time', render: (r) => h('span', null, formatInstant(r.scheduled_at, ctx.tz, getLanguage(), true)) },
      { key: 'pickup', label: 'field.pickup', sortable: true, sortValue: (r) => (r.pickup ? 1 : 0), render: (r) => (r.pickup ? h('span', { class: 'chip chip-yes' }, t('common.yes')) : h('span', { class: 'muted' }, '—')) },
      { key: 'greeter', label: 'field.greeter', sortable: true },
    ],
    // Searched, sorted and paged by the engine: a large conference has tens of thousands of legs.
    query: async (q) => {
      const page = await api.travelList(ctx.eventId, { search: q.search.trim(), sort: q.sort || 'scheduled_at', desc: q.desc, offset: q.offset, limit: q.limit });
      rememberAirport(ctx, page.rows.map((r) => r.airport));
      return page;
    },
    pageSize: 100,
    defaultSort: { key: 'scheduled_at', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.travelDelete(r.id, cascade),
    rowName: label,
    emptyText: () => t('empty.travel'),
  });
  panel.appendChild(view.el);
  view.refresh();

  const edit = (row) => editTravel(ctx, row, {
    onSaved: () => { toast(t('toast.saved'), 'info'); view.refresh(); },
    remove: row ? () => view.remove(row) : null,
  });

  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

/** The airport most of the event's flights use (of those seen), kept on the event's context:
 * a new flight starts there. */
function rememberAirport(ctx, airports) {
  const counts = new Map();
  for (const a of airports) if (a) counts.set(a, (counts.get(a) || 0) + 1);
  let best = null;
  for (const [a, n] of counts) if (!best || n > counts.get(best)) best = a;
  if (best) ctx.mainAirport = best;
}

/** Where a new flight lands or leaves: the event's main airport, or Incheon for an event in
 * Korea before any flight is known. */
function defaultAirport(ctx) {
  return ctx.mainAirport || (ctx.event && ctx.event.host_country === 'KR' ? 'ICN' : '');
}

/** The flight form; `row` needs full_name (and flight) for its title. hooks: { onSaved, remove }. */
export function editTravel(ctx, row, { onSaved = null, remove = null } = {}) {
  const record = row || {
    ...DEFAULTS.travel, airport: defaultAirport(ctx),
  };
  openForm({
    title: row ? t('form.editNamed', { name: label(row) }) : t('new.travel'),
    record,
    tz: ctx.tz,
    fields: [
      { name: 'official_id', type: 'lookup', required: true, wide: true, search: officialSearch(ctx.eventId), initialLabel: row ? row.full_name : '' },
      { name: 'direction', type: 'select', required: true, options: enumOptions('direction') },
      { name: 'flight' },
      { name: 'origin' },
      { name: 'airport' },
      { name: 'scheduled_at', type: 'datetime', required: true, labelText: t('field.scheduled_at_tz', { tz: ctx.tz }) },
      { name: 'pickup', type: 'checkbox' },
      { name: 'greeter' },
      { name: 'notes', type: 'textarea' },
    ],
    save: api.travelSave,
    onSaved,
    remove: row ? remove : null,
  });
}

/** "CDG → ICN" for arrivals, "ICN → CDG" for departures. */
function route(r) {
  const a = r.origin || '?';
  const b = r.airport || '?';
  return r.direction === 'departure' ? `${b} → ${a}` : `${a} → ${b}`;
}
