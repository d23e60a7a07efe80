//! Venues tab: conference centres and the rooms in them.

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { userText } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import { listView } from '../listview.js';
import { twoNames } from '../table.js';
import { openForm } from '../form.js';
import { showError, toast } from '../dialogs.js';
import { mountSubTabs } from './subtabs.js';
import { placeName, placeOther } from './hotels.js';

const roomLabel = (r) => `${r.venue_name} — ${placeName(r)}`;

export function mountVenues(panel, ctx) {
  return mountSubTabs(panel, ctx, 'venues', [
    { key: 'venues', label: 'sub.venues', mount: mountVenueList },
    { key: 'rooms', label: 'sub.rooms', mount: mountRooms },
  ]);
}

function mountVenueList(host, ctx) {
  const view = listView({
    caption: () => t('sub.venues'),
    newLabel: 'new.venue',
    columns: [
      { key: 'name', label: 'col.venue', sortable: true, sortValue: placeName, render: (r) => twoNames(placeName(r), placeOther(r)) },
      { key: 'address', label: 'field.address', sortable: true },
      { key: 'phone', label: 'field.phone' },
      { key: 'rooms', label: 'col.rooms', sortable: true, cls: 'num', render: (r) => userText(formatNumber(r.rooms)) },
    ],
    load: () => api.venueList(ctx.eventId),
    searchText: (r) => [r.name, r.name_ko, r.address, r.phone].join(' '),
    defaultSort: { key: 'name', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.venueDelete(r.id, cascade),
    rowName: placeName,
    cascadeMessage: (r, count) => t('confirm.cascadeVenue', { name: placeName(r), count: formatNumber(count) }),
    emptyText: () => t('empty.venues'),
  });
  host.appendChild(view.el);
  view.refresh();
  function edit(row) {
    openForm({
      title: row ? t('form.editNamed', { name: placeName(row) }) : t('new.venue'),
      record: row || { ...DEFAULTS.venue, event_id: ctx.eventId },
      fields: [
        { name: 'name', required: true }, { name: 'name_ko' },
        { name: 'address', wide: true },
        { name: 'phone', type: 'tel' },
        { name: 'notes', type: 'textarea' },
      ],
      save: api.venueSave,
      onSaved: () => { toast(t('toast.saved'), 'info'); view.refresh(); },
      remove: row ? () => view.remove(row) : null,
    });
  }
  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

function mountRooms(host, ctx) {
  const label = roomLabel;
  const view = listView({
    caption: () => t('sub.rooms'),
    newLabel: 'new.room',
    columns: [
      { key: 'venue_name', label: 'col.venue', sortable: true },
      { key: 'name', label: 'col.room', sortable: true, sortValue: placeName, render: (r) => twoNames(placeName(r), placeOther(r)) },
      { key: 'capacity', label: 'field.capacity', sortable: true, cls: 'num', render: (r) => userText(formatNumber(r.capacity)) },
      { key: 'floor', label: 'field.floor', sortable: true },
    ],
    load: () => api.venueRoomList(ctx.eventId),
    searchText: (r) => [r.venue_name, r.name, r.name_ko, r.floor].join(' '),
    defaultSort: { key: 'venue_name', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.venueRoomDelete(r.id, cascade),
    rowName: label,
    cascadeMessage: (r, count) => t('confirm.cascadeRoom', { name: label(r), count: formatNumber(count) }),
    emptyText: () => t('empty.rooms'),
  });
  host.appendChild(view.el);
  view.refresh();
  const edit = (row) => editVenueRoom(ctx, row, {
    onSaved: () => { toast(t('toast.saved'), 'info'); view.refresh(); },
    remove: row ? () => view.remove(row) : null,
  });
  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

/** The venue room form; `row` needs venue_name for its title. hooks: { onSaved, remove }. */
export async function editVenueRoom(ctx, row, { onSaved = null, remove = null } = {}) {
  let venues;
  try { venues = await api.venueList(ctx.eventId); } catch (err) { showError(err); return; }
  openForm({
    title: row ? t('form.editNamed', { name: roomLabel(row) }) : t('new.room'),
    record: row || { ...DEFAULTS.venue_room, venue_id: venues.length === 1 ? venues[0].id : '' },
    fields: [
      { name: 'venue_id', type: 'select', required: true, placeholder: 'form.choose', options: venues.map((v) => ({ value: v.id, label: placeName(v) })), wide: true },
      { name: 'name', required: true }, { name: 'name_ko' },
      { name: 'capacity', type: 'number', min: 0 },
      { name: 'floor' },
      { name: 'notes', type: 'textarea' },
    ],
    save: api.venueRoomSave,
    onSaved,
    remove: row ? remove : null,
  });
}
