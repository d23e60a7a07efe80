//! Hotels tab: hotels, the room blocks reserved in them, and who stays where.

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { userText } from '../dom.js';
import { t, getLanguage, formatNumber } from '../i18n.js';
import { listView } from '../listview.js';
import { twoNames } from '../table.js';
import { openForm } from '../form.js';
import { showError, toast } from '../dialogs.js';
import { formatDate } from '../time.js';
import { officialSearch } from '../lookups.js';
import { mountSubTabs } from './subtabs.js';

/** Hotels and venues carry a Latin name and an optional Korean one. */
export const placeName = (r) => (getLanguage() === 'ko' && r.name_ko ? r.name_ko : r.name || r.name_ko || '');
export const placeOther = (r) => (getLanguage() === 'ko' && r.name_ko ? r.name : r.name_ko);
const num = (v) => userText(formatNumber(v));
const date = (v) => formatDate(v, getLanguage());
const blockLabel = (r) => `${r.hotel_name} — ${r.room_type}`;
const stayLabel = (r) => `${r.full_name} — ${r.hotel_name}`;

export function mountHotels(panel, ctx) {
  return mountSubTabs(panel, ctx, 'hotels', [
    { key: 'hotels', label: 'sub.hotels', mount: mountHotelList },
    { key: 'blocks', label: 'sub.blocks', mount: mountBlocks },
    { key: 'stays', label: 'sub.stays', mount: mountStays },
  ]);
}

function saved(view) {
  return () => { toast(t('toast.saved'), 'info'); view.refresh(); };
}

function mountHotelList(host, ctx) {
  const view = listView({
    caption: () => t('sub.hotels'),
    newLabel: 'new.hotel',
    columns: [
      { key: 'name', label: 'col.hotel', sortable: true, sortValue: placeName, render: (r) => twoNames(placeName(r), placeOther(r)) },
      { key: 'address', label: 'field.address', sortable: true },
      { key: 'phone', label: 'field.phone' },
      { key: 'blocks', label: 'col.blocks', sortable: true, cls: 'num', render: (r) => num(r.blocks) },
      { key: 'stays', label: 'col.stays', sortable: true, cls: 'num', render: (r) => num(r.stays) },
    ],
    load: () => api.hotelList(ctx.eventId),
    searchText: (r) => [r.name, r.name_ko, r.address, r.phone, r.contact_name].join(' '),
    defaultSort: { key: 'name', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.hotelDelete(r.id, cascade),
    rowName: placeName,
    cascadeMessage: (r, count) => t('confirm.cascadeHotel', { name: placeName(r), count: formatNumber(count) }),
    emptyText: () => t('empty.hotels'),
  });
  host.appendChild(view.el);
  view.refresh();
  function edit(row) {
    openForm({
      title: row ? t('form.editNamed', { name: placeName(row) }) : t('new.hotel'),
      record: row || { ...DEFAULTS.hotel, event_id: ctx.eventId },
      fields: [
        { name: 'name', required: true }, { name: 'name_ko' },
        { name: 'address', wide: true },
        { name: 'phone', type: 'tel' }, { name: 'email', type: 'email' },
        { name: 'contact_name' },
        { name: 'notes', type: 'textarea' },
      ],
      save: api.hotelSave,
      onSaved: saved(view),
      remove: row ? () => view.remove(row) : null,
    });
  }
  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

function mountBlocks(host, ctx) {
  const label = blockLabel;
  const view = listView({
    caption: () => t('sub.blocks'),
    newLabel: 'new.block',
    columns: [
      { key: 'hotel_name', label: 'col.hotel', sortable: true },
      { key: 'room_type', label: 'field.room_type', sortable: true },
      { key: 'occupancy', label: 'field.occupancy', sortable: true, cls: 'num', render: (r) => num(r.occupancy) },
      { key: 'first_night', label: 'field.first_night', sortable: true, render: (r) => date(r.first_night) },
      { key: 'last_night', label: 'field.last_night', sortable: true, render: (r) => date(r.last_night) },
      { key: 'rooms', label: 'field.rooms', sortable: true, cls: 'num', render: (r) => num(r.rooms) },
    ],
    load: () => api.roomBlockList(ctx.eventId),
    searchText: (r) => [r.hotel_name, r.room_type, r.notes].join(' '),
    defaultSort: { key: 'hotel_name', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.roomBlockDelete(r.id, cascade),
    rowName: label,
    emptyText: () => t('empty.blocks'),
  });
  host.appendChild(view.el);
  view.refresh();
  const edit = (row) => editRoomBlock(ctx, row, { onSaved: saved(view), remove: row ? () => view.remove(row) : null });
  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

/** The room block form; `row` needs hotel_name for its title. hooks: { onSaved, remove }. */
export async function editRoomBlock(ctx, row, { onSaved = null, remove = null } = {}) {
  let hotels;
  try { hotels = await api.hotelList(ctx.eventId); } catch (err) { showError(err); return; }
  openForm({
    title: row ? t('form.editNamed', { name: blockLabel(row) }) : t('new.block'),
    record: row || {
      ...DEFAULTS.room_block, hotel_id: hotels.length === 1 ? hotels[0].id : '',
      first_night: ctx.event.start_date, last_night: ctx.event.end_date,
    },
    fields: [
      { name: 'hotel_id', type: 'select', required: true, placeholder: 'form.choose', options: hotels.map((x) => ({ value: x.id, label: placeName(x) })), wide: true },
      { name: 'room_type', required: true },
      { name: 'occupancy', type: 'number', min: 1 },
      { name: 'first_night', type: 'date', required: true },
      { name: 'last_night', type: 'date', required: true, calendarFrom: 'first_night' },
      { name: 'rooms', type: 'number', min: 0 },
      { name: 'notes', type: 'textarea' },
    ],
    save: api.roomBlockSave,
    onSaved,
    remove: row ? remove : null,
  });
}

function mountStays(host, ctx) {
  const label = stayLabel;
  const view = listView({
    caption: () => t('sub.stays'),
    newLabel: 'new.stay',
    columns: [
      { key: 'full_name', label: 'col.official', sortable: true },
      { key: 'hotel_name', label: 'col.hotel', sortable: true },
      { key: 'room_type', label: 'field.room_type', sortable: true },
      { key: 'check_in', label: 'field.check_in', sortable: true, render: (r) => date(r.check_in) },
      { key: 'check_out', label: 'field.check_out', sortable: true, render: (r) => date(r.check_out) },
      { key: 'room_number', label: 'field.room_number', sortable: true },
      { key: 'shares_with_name', label: 'field.shares_with_id', sortable: true },
    ],
    // Searched, sorted and paged by the engine: one stay per official, so as many as officials.
    query: (q) => api.stayList(ctx.eventId, { search: q.search.trim(), sort: q.sort || 'full_name', desc: q.desc, offset: q.offset, limit: q.limit }),
    pageSize: 100,
    defaultSort: { key: 'full_name', desc: false },
    open: (r) => edit(r),
    create: () => edit(null),
    remove: (r, cascade) => api.stayDelete(r.id, cascade),
    rowName: label,
    emptyText: () => t('empty.stays'),
  });
  host.appendChild(view.el);
  view.refresh();
  const edit = (row) => editStay(ctx, row, { onSaved: saved(view), remove: row ? () => view.remove(row) : null });
  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

/** The stay form; `row` needs full_name, hotel_name and shares_with_name. hooks: { onSaved, remove }. */
export async function editStay(ctx, row, { onSaved = null, remove = null } = {}) {
  let hotels; let blocks;
  try {
    [hotels, blocks] = await Promise.all([api.hotelList(ctx.eventId), api.roomBlockList(ctx.eventId)]);
  } catch (err) { showError(err); return; }
  openForm({
    title: row ? t('form.editNamed', { name: stayLabel(row) }) : t('new.stay'),
    record: row || {
      ...DEFAULTS.stay, hotel_id: hotels.length === 1 ? hotels[0].id : '',
      check_in: ctx.event.start_date, check_out: ctx.event.end_date,
    },
    fields: [
      { name: 'official_id', type: 'lookup', required: true, wide: true, search: officialSearch(ctx.eventId), initialLabel: row ? row.full_name : '' },
      { name: 'hotel_id', type: 'select', required: true, placeholder: 'form.choose', options: hotels.map((x) => ({ value: x.id, label: placeName(x) })) },
      {
        name: 'room_block_id', type: 'select', nullable: true,
        options: blocks.map((b) => ({ value: b.id, label: `${b.hotel_name} — ${b.room_type} (${date(b.first_night)} – ${date(b.last_night)})` })),
      },
      { name: 'check_in', type: 'date', required: true },
      { name: 'check_out', type: 'date', required: true, calendarFrom: 'check_in' },
      { name: 'room_number' },
      { name: 'shares_with_id', type: 'lookup', nullable: true, search: officialSearch(ctx.eventId), initialLabel: row ? row.shares_with_name : '' },
      { name: 'special_requests', wide: true },
      { name: 'notes', type: 'textarea' },
    ],
    save: api.staySave,
    onSaved,
    remove: row ? remove : null,
  });
}
