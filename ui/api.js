//! The only module that talks to the backend (window.__TAURI__). Every function here is one
//! Tauri command from the contract; arguments are snake_case as the commands declare them.

import { RECORD_FIELDS } from './generated.js';

/** What every failed call rejects with: an Error that keeps the backend's fields. */
export class BackendError extends Error {
  constructor({ code, message, text, fields, count, current }) {
    super(message || code || 'Unknown error');
    this.name = 'BackendError';
    this.code = code || 'internal';
    // The catalogue message that says it ({id, args}), for the officer's language.
    this.text = text && typeof text === 'object' && text.id ? text : null;
    this.fields = Array.isArray(fields) ? fields : [];
    this.count = typeof count === 'number' ? count : null;
    // The stored record, when a save was refused because it changed since it was opened.
    this.current = current && typeof current === 'object' ? current : null;
  }
}

function normalise(err) {
  if (err instanceof BackendError) return err;
  let e = err;
  if (typeof e === 'string') {
    try { e = JSON.parse(e); } catch { return new BackendError({ code: 'internal', message: err }); }
  }
  if (e && typeof e === 'object' && typeof e.code === 'string') return new BackendError(e);
  return new BackendError({ code: 'internal', message: e && e.message ? e.message : String(e) });
}

async function call(cmd, args = {}) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core || typeof tauri.core.invoke !== 'function') {
    throw new BackendError({ code: 'internal', message: 'The application backend is not available.' });
  }
  try {
    return await tauri.core.invoke(cmd, args);
  } catch (err) {
    throw normalise(err);
  }
}

// The exact input shape of each record (RECORD_FIELDS, generated from the engine's types). Saves
// send only these keys, so the display extras that lists add (full_name, officials, …) never
// travel back.

/** The record as the backend accepts it on save: known fields only, missing ids as "". */
export function pickRecord(kind, row) {
  const out = {};
  for (const key of RECORD_FIELDS[kind]) out[key] = row[key] === undefined ? null : row[key];
  if (!out.id) out.id = '';
  // The version the form was opened on: the backend refuses a save over a newer one.
  if (out.id && row.updated_at) out.updated_at = row.updated_at;
  return out;
}

// Every call that changes data goes through `write`, the one place where a save or delete is
// known to have succeeded. Screens that summarise the event (the dashboard and its tab badge)
// subscribe with onDataChanged instead of each form and delete flow calling them.
const changes = new EventTarget();

/** Call `fn({cmd})` after every successful save, delete or roster change. Returns an unsubscribe. */
export function onDataChanged(fn) {
  const listener = (e) => fn(e.detail);
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}

async function write(cmd, args) {
  const result = await call(cmd, args);
  changes.dispatchEvent(new CustomEvent('change', { detail: { cmd } }));
  return result;
}

const save = (kind) => (record) => write(`${kind}_save`, { record: pickRecord(kind, record) });
const get = (kind) => (id) => call(`${kind}_get`, { id });
const del = (kind) => (id, cascade = false) => write(`${kind}_delete`, { id, cascade: Boolean(cascade) });

// Library and settings
export async function eventsList() { return call('events_list'); }
export async function eventGet(id) { return get('event')(id); }
export async function eventSave(record) { return save('event')(record); }
/** Deleting an event takes everything in it; the caller has confirmed by name already. */
export async function eventDelete(id) { return write('event_delete', { id, cascade: true }); }
export async function settingGet(key) { return call('setting_get', { key }); }
export async function settingSet(key, value) { return call('setting_set', { key, value }); }
export async function countries() { return call('countries'); }
export async function organizations() { return call('organizations'); }

// The window itself
/** {event_id, tab, probe}: the event and tab to open first, and whether timings are reported. */
export async function appStartup() { return call('app_startup'); }
/** Version, build, schema and where the library lives, for the About box. */
export async function appAbout() { return call('app_about'); }
export async function openLogsFolder() { return call('open_logs_folder'); }
/** Takes the demo events out of the library (backed up first). */
export async function demoRemove() { return write('demo_remove'); }
export async function demoOpen() { return write('demo_open'); }
/** Starts event `to` from event `from`: venues, hotels and agenda, moved to its dates. */
export async function eventCopySetup(from, to) { return write('event_copy_setup', { from, to }); }
/** Reports a timing to the benchmark; the backend prints it only when started with DDESK_PROBE. */
export function uiMetric(name, ms) { return call('ui_metric', { name, ms }).catch(() => {}); }

// Backups, checks, history and undo
export async function libraryStatus() { return call('library_status'); }
/** Unlocks the library: `{ passphrase }`, or `{ code, passphrase }` (the recovery code and the
 * new passphrase); answers the library's status. */
export async function libraryUnlock({ passphrase = null, code = null }) { return call('library_unlock', { passphrase, code }); }
/** The word catalogues, `{en, ko}` as Fluent source. */
export async function catalogue() { return call('catalogue'); }
export async function backupsList() { return call('backups_list'); }
export async function backupNow() { return call('backup_now'); }
/** Restores a backup of the library's own backups folder, named by its file name. */
export async function backupRestore(fileName) { return write('backup_restore', { file_name: fileName }); }
/** Keeps the library's key under a new passphrase (`current`: the one set now, if any). */
export async function libraryPassphraseSet(current, passphrase) { return call('library_passphrase_set', { current, passphrase }); }
/** The event's personal data: what a purge would remove, and the reminder (issue 17). */
export async function purgeStatus(eventId) { return call('purge_status', { event_id: eventId }); }
export async function purgeReminderSet(eventId, days) { return write('purge_reminder_set', { event_id: eventId, days }); }
export async function purgeEvent(eventId) { return write('purge_event', { event_id: eventId }); }
export async function libraryCheck() { return call('library_check'); }
export async function historyList(eventId, limit) { return call('history_list', { event_id: eventId, limit }); }
export async function undoNext(eventId) { return call('undo_next', { event_id: eventId }); }
export async function undoLast(eventId) { return write('undo_last', { event_id: eventId }); }

// Import
export async function importFields() { return call('import_fields'); }
/** Reads a picked or dropped File in the backend: {file_name, headers, rows, sample, mapping, …}. */
/** The engine's import limit (import::MAX_FILE_BYTES): a larger file is refused before a byte
 * of it is read into the window's memory; the engine checks again. */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;

export async function importRead(file, options = {}, eventId = null) {
  if (file.size > IMPORT_MAX_BYTES) {
    const mb = Math.floor(file.size / (1024 * 1024));
    throw new BackendError({ code: 'file_too_large', message: `${file.name} is ${mb} MB; files of up to 50 MB can be imported. Is it the registration list?` });
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const tauri = window.__TAURI__;
  try {
    return await tauri.core.invoke('import_read', bytes, {
      headers: {
        'x-file-name': encodeURIComponent(file.name),
        'x-read-options': JSON.stringify(options),
        ...(eventId ? { 'x-event-id': eventId } : {}),
      },
    });
  } catch (err) {
    throw normalise(err);
  }
}
export async function importPreview(eventId, mapping) { return call('import_preview', { event_id: eventId, mapping }); }
/** Commits the import; `onProgress(done, total)` follows it row by row. */
export async function importCommit(eventId, mapping, decisions, onProgress) {
  const progress = new window.__TAURI__.core.Channel();
  progress.onmessage = ([done, total]) => onProgress(done, total);
  return write('import_commit', { event_id: eventId, mapping, decisions, progress });
}

// Printing
export async function printPreview(request, onProgress) {
  const progress = new window.__TAURI__.core.Channel();
  progress.onmessage = ([done, total]) => onProgress(done, total);
  return call('print_preview', { request, progress });
}
/** The whole document's badges whose names print too small (the preview sets only its first pages). */
export async function printSmallNames(request, onProgress) {
  const progress = new window.__TAURI__.core.Channel();
  progress.onmessage = ([done, total]) => onProgress(done, total);
  return call('print_small_names', { request, progress });
}
/** Asks where to save (the system's dialog), writes the PDF; null when cancelled. */
export async function printSave(request, fileName, onProgress) {
  const progress = new window.__TAURI__.core.Channel();
  progress.onmessage = ([done, total]) => onProgress(done, total);
  return call('print_save', { request, file_name: fileName, progress });
}
export async function printOpen(token) { return call('print_open', { token }); }
/** Records the badges of a saved PDF as printed, once the officer says they were. */
export async function printMarkPrinted(officialIds, layout) { return write('print_mark_printed', { official_ids: officialIds, layout }); }
export async function printOffsetGet(layout) { return call('print_offset_get', { layout }); }
export async function printOffsetSet(layout, offset) { return call('print_offset_set', { layout, offset }); }
export async function printColorsGet() { return call('print_colors_get', {}); }
export async function printColorSet(category, color) { return call('print_color_set', { category, color }); }

// Itineraries and spreadsheet exports
/** Makes itineraries ({event_id, scope, format}) and asks where to save them (a file for one
 *  official, a folder otherwise): {path, files}, or null when cancelled. */
export async function itinerarySave(request, onProgress) {
  const progress = new window.__TAURI__.core.Channel();
  progress.onmessage = ([done, total]) => onProgress(done, total);
  return call('itinerary_save', { request, progress });
}
/** Officials of the event the one about to be saved looks like (the same-person rule). */
export async function officialLookalikes(official) { return call('official_lookalikes', { official }); }
/** Has the engine read the event's search index ahead of the officer's first keystroke. */
export async function officialSearchWarm(eventId) { return call('official_search_warm', { event_id: eventId }); }
/** Builds a CSV or XLSX export and asks where to save it: {path}, or null when cancelled.
 *  `zipPassword`: the export leaves in an AES-256 ZIP under it (full passport numbers). */
export async function exportSave(request, zipPassword = null) { return call('export_save', { request, zip_password: zipPassword }); }
/** Registration workbooks: one delegation's (Save dialog) or, with no id, every delegation's (folder). */
export async function registrationFormSave(eventId, delegationId, language) {
  return call('registration_form_save', { event_id: eventId, delegation_id: delegationId, language });
}
/** Opens a saved itinerary, calendar or spreadsheet, or a folder of them. */
export async function outputOpen(token) { return call('output_open', { token }); }

// Letters and certificates
/** A template's words, whether the officer changed them, and the placeholders its kind knows. */
export async function letterTemplateGet(kind, lang) { return call('letter_template_get', { kind, lang }); }
export async function letterTemplateSave(template) { return call('letter_template_save', { template }); }
export async function letterTemplateReset(kind, lang) { return call('letter_template_reset', { kind, lang }); }
/** The first page of the template as typed, for one recipient (the first when none). */
export async function letterPreview(eventId, template, recipientId, minAttendance) {
  return call('letter_preview', { event_id: eventId, template, recipient_id: recipientId || null, min_attendance: minAttendance });
}
export async function letterRecipients(eventId, kind) { return call('letter_recipients', { event_id: eventId, kind }); }
export async function letterheadGet() { return call('letterhead_get'); }
export async function letterheadSave(letterhead) { return call('letterhead_save', { letterhead }); }
/** Keeps a logo or seal (`base64` of the file), or removes it (null). */
export async function letterImageSave(name, base64) { return call('letter_image_save', { name, base64 }); }
/** Writes the letters (Save or folder dialog): {path, files, skipped, token}, or null when cancelled. */
export async function letterWrite(request, onProgress) {
  const progress = new window.__TAURI__.core.Channel();
  progress.onmessage = ([done, total]) => onProgress(done, total);
  return call('letter_write', { request, progress });
}
export async function letterRegister(eventId) { return call('letter_register', { event_id: eventId }); }

// Lists per event
/** Counts, seats, movements, rooms, needs and the problems found by the logistics checks. */
export async function eventDashboard(eventId) { return call('event_dashboard', { event_id: eventId }); }
export async function delegationList(eventId) { return call('delegation_list', { event_id: eventId }); }
export async function officialList(eventId, query) {
  const q = {
    search: '', delegation_id: null, category: null, status: null, not_on_session: null,
    sort: 'name', desc: false, offset: 0, limit: 100, ...query,
  };
  return call('official_list', { event_id: eventId, query: q });
}
/** One page of a list that grows with the event: {search, sort, desc, offset, limit} → {total, rows}. */
function pageQuery(query) {
  return { search: '', sort: '', desc: false, offset: 0, limit: 100, ...query };
}
export async function travelList(eventId, query) { return call('travel_list', { event_id: eventId, query: pageQuery(query) }); }
export async function hotelList(eventId) { return call('hotel_list', { event_id: eventId }); }
export async function roomBlockList(eventId) { return call('room_block_list', { event_id: eventId }); }
export async function stayList(eventId, query) { return call('stay_list', { event_id: eventId, query: pageQuery(query) }); }
export async function venueList(eventId) { return call('venue_list', { event_id: eventId }); }
export async function venueRoomList(eventId) { return call('venue_room_list', { event_id: eventId }); }
export async function sessionList(eventId) { return call('session_list', { event_id: eventId }); }
/** A page of a session's roster as its audience makes it: {search, offset, limit} → {total, rows}. */
export async function participantList(sessionId, query) { return call('participant_list', { session_id: sessionId, query: pageQuery(query) }); }
export async function rosterLeftOut(sessionId) { return call('roster_left_out', { session_id: sessionId }); }

// Get / save / delete per record kind
export async function delegationGet(id) { return get('delegation')(id); }
export async function delegationSave(record) { return save('delegation')(record); }
export async function delegationDelete(id, cascade) { return del('delegation')(id, cascade); }
export async function officialGet(id) { return get('official')(id); }
export async function officialSave(record) { return save('official')(record); }
export async function officialDelete(id, cascade) { return del('official')(id, cascade); }
export async function travelGet(id) { return get('travel')(id); }
export async function travelSave(record) { return save('travel')(record); }
export async function travelDelete(id, cascade) { return del('travel')(id, cascade); }
export async function hotelGet(id) { return get('hotel')(id); }
export async function hotelSave(record) { return save('hotel')(record); }
export async function hotelDelete(id, cascade) { return del('hotel')(id, cascade); }
export async function roomBlockGet(id) { return get('room_block')(id); }
export async function roomBlockSave(record) { return save('room_block')(record); }
export async function roomBlockDelete(id, cascade) { return del('room_block')(id, cascade); }
export async function stayGet(id) { return get('stay')(id); }
export async function staySave(record) { return save('stay')(record); }
export async function stayDelete(id, cascade) { return del('stay')(id, cascade); }
export async function venueGet(id) { return get('venue')(id); }
export async function venueSave(record) { return save('venue')(record); }
export async function venueDelete(id, cascade) { return del('venue')(id, cascade); }
export async function venueRoomGet(id) { return get('venue_room')(id); }
export async function venueRoomSave(record) { return save('venue_room')(record); }
export async function venueRoomDelete(id, cascade) { return del('venue_room')(id, cascade); }
export async function sessionGet(id) { return get('session')(id); }
export async function sessionSave(record) { return save('session')(record); }
export async function sessionDelete(id, cascade) { return del('session')(id, cascade); }
export async function participantGet(id) { return get('participant')(id); }
export async function participantSave(record) { return save('participant')(record); }
export async function participantDelete(id, cascade) { return del('participant')(id, cascade); }

// Roster
export async function participantsAdd(sessionId, officialIds, role) {
  return write('participants_add', { session_id: sessionId, official_ids: officialIds, role });
}
export async function participantAttend(sessionId, officialId, attended) {
  return write('participant_attend', { session_id: sessionId, official_id: officialId, attended: Boolean(attended) });
}
export async function rosterRole(sessionId, officialId, role) {
  return write('roster_role', { session_id: sessionId, official_id: officialId, role });
}
export async function rosterRemove(sessionId, officialId) {
  return write('roster_remove', { session_id: sessionId, official_id: officialId });
}

/** The X_get of each record kind a dashboard problem can point at. */
export function getRecord(entity, id) {
  if (!Object.prototype.hasOwnProperty.call(RECORD_FIELDS, entity)) {
    return Promise.reject(new BackendError({ code: 'internal', message: `Unknown record kind ${entity}` }));
  }
  return get(entity)(id);
}

/** The X_delete of a record kind, for forms opened from the dashboard. */
export function deleteRecord(entity, id, cascade = false) {
  if (!Object.prototype.hasOwnProperty.call(RECORD_FIELDS, entity)) {
    return Promise.reject(new BackendError({ code: 'internal', message: `Unknown record kind ${entity}` }));
  }
  return del(entity)(id, cascade);
}

// Team sync
export async function syncStatus(eventId) { return call('sync_status', { event_id: eventId }); }
export async function syncShare(eventId) { return write('sync_share', { event_id: eventId }); }
/** Asks where to save this laptop's bundle (the Save dialog): {path, changes, …} or null. */
export async function syncSend(eventId, fileName) { return call('sync_send', { event_id: eventId, file_name: fileName }); }
/** Receives a picked or dropped bundle; `teamKey` only to join an event's team. */
export async function syncReceive(file, teamKey = '') {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    const got = await window.__TAURI__.core.invoke('sync_receive', bytes, { headers: { 'x-team-key': teamKey } });
    changes.dispatchEvent(new CustomEvent('change', { detail: { cmd: 'sync_receive' } }));
    return got;
  } catch (err) {
    throw normalise(err);
  }
}
export async function syncConflicts(eventId) { return call('sync_conflicts', { event_id: eventId }); }
export async function syncReverse(conflictId) { return write('sync_reverse', { conflict_id: conflictId }); }
export async function syncFolderSet(eventId, clear = false) { return call('sync_folder_set', { event_id: eventId, clear }); }
export async function syncFolderRound(eventId) { return call('sync_folder_round', { event_id: eventId }); }
/** The file name of a bundle the app was opened with (double-clicked), or null. */
export async function syncOpenedPending() { return call('sync_opened_pending', {}); }
/** Receives that bundle; `teamKey` only to join. */
export async function syncReceiveOpened(teamKey = '') { return write('sync_receive_opened', { team_key: teamKey }); }

// On the ground: vehicles, transfer runs, the planner, the arrivals desk, check-in
export async function vehicleList(eventId) { return call('vehicle_list', { event_id: eventId }); }
export async function vehicleSave(record) { return save('vehicle')(record); }
export async function vehicleDelete(id, cascade) { return del('vehicle')(id, cascade); }
/** The event's runs (of one local day "YYYY-MM-DD", or all), each with vehicle and passengers. */
export async function runList(eventId, day) { return call('run_list', { event_id: eventId, day: day || null }); }
export async function runSave(record) { return write('run_save', { record: pickRecord('transfer_run', record) }); }
export async function runDelete(id, cascade) { return write('run_delete', { id, cascade: Boolean(cascade) }); }
/** request: {what: {kind: pickups|departures|session, session_id?}, window_minutes, lead_minutes, alone}. */
export async function transportPlan(eventId, request) { return call('transport_plan', { event_id: eventId, request }); }
export async function transportApply(eventId, request) { return write('transport_apply', { event_id: eventId, request }); }
export async function passengerAdd(runId, officialId) { return write('passenger_add', { run_id: runId, official_id: officialId }); }
export async function passengerMove(passengerId, runId) { return write('passenger_move', { passenger_id: passengerId, run_id: runId }); }
export async function passengerRemove(passengerId) { return write('passenger_remove', { passenger_id: passengerId }); }
export async function transportSettingsGet() { return call('transport_settings_get'); }
export async function transportSettingsSave(settings) { return write('transport_settings_save', { settings }); }
/** The desk's board: {direction, day, days, counts: [[status, n]], rows}. */
export async function deskBoard(eventId, direction, day) { return call('desk_board', { event_id: eventId, direction, day: day || null }); }
export async function deskSetStatus(travelId, status) { return write('desk_set_status', { travel_id: travelId, status }); }
/** target: {kind: 'event'} | {kind: 'session', id} | {kind: 'run', id}. */
export async function checkinScan(eventId, target, code) { return write('checkin_scan', { event_id: eventId, target, code }); }
export async function checkinAdmit(eventId, target, officialId) { return write('checkin_admit', { event_id: eventId, target, official_id: officialId }); }
export async function checkinUndo(eventId, target, officialId) { return write('checkin_undo', { event_id: eventId, target, official_id: officialId }); }
export async function checkinCounts(eventId, target) { return call('checkin_counts', { event_id: eventId, target }); }

// Protocol: ranks, the order of precedence, seating plans
export async function protocolRanks() { return call('protocol_ranks'); }
export async function protocolRanksSave(ranks) { return write('protocol_ranks_save', { ranks }); }
/** The event's order of precedence: [{position, official_id, name, rank, delegation_en, …}]. */
export async function precedenceList(eventId) { return call('precedence_list', { event_id: eventId }); }
export async function precedenceMove(officialId, up) { return write('precedence_move', { official_id: officialId, up: Boolean(up) }); }
/** order: name_en | name_ko | arranged; arranged: delegation ids in the officer's order. */
export async function delegationsArrange(eventId, order, organizationsFirst, arranged) {
  return write('delegations_arrange', { event_id: eventId, order, organizations_first: Boolean(organizationsFirst), arranged });
}
/** A session's plan: {layout, seats_per_table, tables: [{no, seats: [{seat, guest, issue}]}], unseated, roster}. */
export async function seatingPlan(sessionId) { return call('seating_plan', { session_id: sessionId }); }
export async function seatingPropose(sessionId, layout, seats) { return write('seating_propose', { session_id: sessionId, layout, seats: Number(seats) || 0 }); }
/** Moves an official to (table, seat), or off their seat when both are null. */
export async function seatingMove(sessionId, officialId, table, seat) {
  return write('seating_move', { session_id: sessionId, official_id: officialId, table: table ?? null, seat: seat ?? null });
}
