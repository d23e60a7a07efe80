//! The Team dialog of an event (issue 18): share the event with a team and show its team key,
//! send this laptop's changes as a bundle, receive another's (picked or dropped on the window),
//! the shared folder, the laptops heard from, and the conflict list with Reverse.

import * as api from '../api.js';
import { h, mount, userText } from '../dom.js';
import { t, has, getLanguage, formatNumber, errorText } from '../i18n.js';
import { showError, toast } from '../dialogs.js';
import { toolsDialog } from './safety.js';

const word = (key, fallback) => (has(key) ? t(key) : fallback);
const localTime = (text) => {
  const at = new Date(String(text).replace(' ', 'T').replace(/(\.\d{3})\d*/, '$1'));
  return Number.isNaN(at.getTime()) ? String(text) : at.toLocaleString(getLanguage() === 'ko' ? 'ko-KR' : 'en-GB', {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
};

/** A conflict's value as the officer reads it. */
function valueText(v) {
  if (v === null || v === undefined || v === '') return t('team.empty');
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return t('team.records', { n: v.length });
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${word(`field.${k}`, k)}: ${x ?? ''}`).join(', ');
  return String(v);
}

/** What a conflict says, in a sentence: "Position of KIM Minji", "Deleted: NGUYEN Van". */
function conflictTitle(c) {
  const what = word(`entity.${c.entity}`, c.entity);
  const name = c.label || what;
  if (c.kind === 'value') return t('team.conflict.value', { field: word(`field.${c.field}`, c.field), name });
  return t(`team.conflict.${c.kind}`, { what, name });
}

/** Receives one bundle file; asks for the team key when this laptop has not joined. */
export function receiveBundle(file, onChanged) {
  return receiveWith((key) => api.syncReceive(file, key), file.name, onChanged);
}

/** Receives the bundle the app was opened with (double-clicked), if one waits. */
export async function receiveOpened(onChanged) {
  let name = null;
  try { name = await api.syncOpenedPending(); } catch { return null; }
  if (!name) return null;
  return receiveWith((key) => api.syncReceiveOpened(key), name, onChanged);
}

/** `send(teamKey)` receives a bundle; without the key on a laptop that has not joined, the
 *  officer is asked for it. */
async function receiveWith(send, name, onChanged) {
  // A whole event joined takes seconds (11 s for 20,000 officials): said at once.
  toast(t('team.receiving', { file: name }), 'info');
  try {
    const got = await send('');
    if (!got) return null;
    say(got);
    onChanged(got);
    return got;
  } catch (err) {
    if (err.code !== 'team_key_needed') { showError(err); return null; }
    return askKeyAndReceive(send, name, onChanged);
  }
}

function say(got) {
  toast(got.applied
    ? t('team.received', { n: got.applied, who: got.from_officer, conflicts: got.conflicts })
    : t('team.nothingNew'), 'info');
}

/** Joining a team: the bundle and the key read out by the officer who shared the event. */
function askKeyAndReceive(send, name, onChanged) {
  return new Promise((resolve) => {
    const key = h('input', { type: 'text', id: 'team-join-key', autocomplete: 'off', spellcheck: 'false', placeholder: 'XXXXX-XXXXX-XXXXX-XXXXX' });
    const error = h('p', { class: 'field-error', id: 'team-join-error', role: 'alert', hidden: true });
    async function submit(e) {
      e.preventDefault();
      const button = document.getElementById('team-join-ok');
      button.disabled = true;
      button.textContent = t('team.joining');
      try {
        const got = await send(key.value);
        document.getElementById('tools-dialog').close();
        toast(t('team.joined', { n: formatNumber(got.rows) }), 'info');
        onChanged(got);
        resolve(got);
      } catch (err) {
        error.textContent = errorText(err);
        error.hidden = false;
        button.disabled = false;
        button.textContent = t('team.join');
      }
    }
    toolsDialog('team-join-title', t('team.joinTitle'),
      h('form', { class: 'unlock-box passphrase-form', id: 'team-join-form', onSubmit: submit },
        h('p', null, t('team.joinIntro', { file: name })),
        h('label', { class: 'field' }, h('span', null, t('team.key')), key),
        error,
        h('div', { class: 'dialog-buttons' },
          h('button', { type: 'submit', class: 'btn btn-primary', id: 'team-join-ok' }, t('team.join')))));
    key.focus();
  });
}

/** A file input for bundles, behind a button. */
function bundlePicker(id, label, onFile) {
  const input = h('input', {
    type: 'file', id: `${id}-file`, class: 'visually-hidden', accept: '.ddsync',
    onChange: () => { const f = input.files && input.files[0]; input.value = ''; if (f) onFile(f); },
  });
  return [input, h('button', { type: 'button', class: 'btn', id, onClick: () => input.click() }, label)];
}

/** "Join a team…" on the library screen: a bundle from a teammate, then the key. */
export function joinPicker(onJoined) {
  return bundlePicker('library-join', t('team.joinButton'), (file) => receiveBundle(file, onJoined));
}

/** The Team dialog of an event. `onChanged` redraws the event after a merge. */
export async function openTeam(event, onChanged) {
  const body = h('div', { id: 'team-body' });
  toolsDialog('team-title', t('team.title'), body);
  await paint();

  async function paint() {
    let status;
    let conflicts = [];
    try {
      status = await api.syncStatus(event.id);
      if (status.shared) conflicts = await api.syncConflicts(event.id);
    } catch (err) {
      mount(body, h('p', { class: 'field-error' }, errorText(err)));
      return;
    }
    if (!status.shared) {
      mount(body,
        h('p', null, t('team.intro')),
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', class: 'btn btn-primary', id: 'team-share', onClick: share }, t('team.share'))));
      return;
    }
    const open = conflicts.filter((c) => !c.reversed_at);
    mount(body,
      h('div', { class: 'team-key-box' },
        h('strong', { class: 'team-key-event' }, userText(event.name_en)),
        h('span', { class: 'muted' }, t('team.keyIntro')),
        h('output', { id: 'team-key', class: 'team-key', 'aria-label': t('team.key') }, status.team_key || ''),
        h('div', { class: 'no-print' },
          h('button', { type: 'button', class: 'btn btn-quiet', id: 'team-key-print', onClick: printKey }, t('unlock.print')))),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'team-send', onClick: send }, t('team.send')),
        ...bundlePicker('team-receive', t('team.receive'), async (file) => { await receiveBundle(file, onChanged); paint(); })),
      h('p', { class: 'muted' }, t('team.dropHint')),
      h('h3', null, t('team.folder')),
      h('div', { class: 'toolbar' },
        h('span', { id: 'team-folder', class: 'muted' }, status.folder ? userText(status.folder) : t('team.noFolder')),
        h('button', { type: 'button', class: 'btn', id: 'team-folder-choose', onClick: () => folder(false) }, t('team.folderChoose')),
        status.folder ? h('button', { type: 'button', class: 'btn btn-quiet', id: 'team-folder-stop', onClick: () => folder(true) }, t('team.folderStop')) : null),
      h('h3', null, t('team.laptops')),
      h('table', { class: 'table', id: 'team-laptops' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('team.laptop')), h('th', { scope: 'col' }, t('team.lastChange')), h('th', { scope: 'col' }, t('history.who')))),
        h('tbody', null, status.laptops.map((l) => h('tr', null,
          h('td', null, l.laptop.slice(0, 8), l.this ? h('span', { class: 'chip' }, t('team.thisLaptop')) : null),
          h('td', null, `#${formatNumber(l.last_seq)} · ${localTime(l.at)}`),
          h('td', null, userText(l.author)))))),
      h('h3', { id: 'team-conflicts-title' }, t('team.conflicts', { n: formatNumber(open.length) })),
      conflicts.length
        ? h('table', { class: 'table', id: 'team-conflicts', 'aria-labelledby': 'team-conflicts-title' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('team.what')),
            h('th', { scope: 'col' }, t('team.kept')),
            h('th', { scope: 'col' }, t('team.lost')),
            h('th', { scope: 'col' }, ''))),
          h('tbody', null, conflicts.map((c) => h('tr', { class: c.reversed_at ? 'undone' : null, 'data-conflict': c.id },
            h('td', null, userText(conflictTitle(c))),
            h('td', null, userText(c.kind === 'value' ? valueText(c.kept) : ''), c.kept_by ? h('div', { class: 'muted' }, userText(c.kept_by)) : null),
            h('td', { class: 'conflict-lost' }, userText(valueText(c.lost)), c.lost_by ? h('div', { class: 'muted' }, userText(c.lost_by)) : null),
            h('td', null, c.reversed_at
              ? h('span', { class: 'chip' }, t('team.reversed'))
              : (c.kind === 'duplicate' ? null : h('button', {
                type: 'button', class: 'btn conflict-reverse', onClick: () => reverse(c),
              }, t('team.reverse'))))))))
        : h('p', { class: 'muted', id: 'team-no-conflicts' }, t('team.noConflicts')));
  }

  /** The team key on paper, alone with the event's name, to hand to whoever joins. */
  function printKey() {
    document.body.classList.add('printing-team-key');
    try { window.print(); } finally { document.body.classList.remove('printing-team-key'); }
  }
  async function share() {
    try {
      await api.syncShare(event.id);
      await paint();
    } catch (err) { showError(err); }
  }
  async function send() {
    try {
      const officer = document.getElementById('officer-name');
      const who = officer && officer.textContent ? ` - ${officer.textContent}` : '';
      const sent = await api.syncSend(event.id, `${event.name_en}${who}`);
      if (sent) toast(t('team.sent', { n: sent.changes, file: sent.path }), 'info');
    } catch (err) { showError(err); }
  }
  async function folder(clear) {
    try {
      const chosen = await api.syncFolderSet(event.id, clear);
      if (chosen) await api.syncFolderRound(event.id);
      await paint();
    } catch (err) { showError(err); }
  }
  async function reverse(c) {
    try {
      await api.syncReverse(c.id);
      toast(t('team.reversedToast'), 'info');
      onChanged();
      await paint();
    } catch (err) { showError(err); }
  }
}

/** While an event with a shared folder is open: a round through it every half minute and
 *  after each change, so that a team in one office syncs without thinking about it. */
let stopWatching = () => {};
let watched = null;

/** Stops the round of the event that was open (the officer went back to the library). */
export function stopFolderWatch() { stopWatching(); stopWatching = () => {}; watched = null; }

export function watchFolder(eventId, onReceived) {
  // The event redrawn (after a save, a tab's reload): the round already running goes on.
  if (watched === eventId) return;
  stopFolderWatch();
  watched = eventId;
  let busy = false;
  let stopped = false;
  async function round() {
    if (busy || stopped) return;
    busy = true;
    try {
      const status = await api.syncStatus(eventId);
      if (status.shared && status.folder) {
        const r = await api.syncFolderRound(eventId);
        if (r.applied && !stopped) { toast(t('team.folderReceived', { n: r.applied }), 'info'); onReceived(); }
      }
    } catch { /* an unreachable share is tried again at the next round */ }
    busy = false;
  }
  const timer = setInterval(round, 30000);
  const off = api.onDataChanged((d) => { if (!d || d.cmd !== 'sync_folder_round') setTimeout(round, 1500); });
  round();
  stopWatching = () => { stopped = true; clearInterval(timer); off(); };
}
