//! Agenda tab: sessions by day in the event's time zone with who attends each, and the
//! roster of the selected session as its audience makes it (who is on it by the rule and who
//! by hand, roles, attendance, adding and leaving out officials).

import * as api from '../api.js';
import { DEFAULTS } from '../generated.js';
import { h, mount, userText, debounce } from '../dom.js';
import { t, say, localName, enumOptions, getLanguage, formatNumber } from '../i18n.js';
import { listView } from '../listview.js';
import { chip, renderTable, twoNames } from '../table.js';
import { openForm } from '../form.js';
import { confirmDialog, showError, toast } from '../dialogs.js';
import { formatTime, formatDate, formatInstant, dayKey, fromLocalInput } from '../time.js';
import { officialLabel, delegationOptions } from '../lookups.js';
import { placeName } from './hotels.js';

const title = (s) => localName(s.title_en, s.title_ko);

export function mountAgenda(panel, ctx) {
  let selected = null;
  const rosterHost = h('div', { class: 'roster-host' });
  const place = (s) => {
    if (s.room_name || s.venue_name) return [localName(s.room_name, s.room_name_ko), localName(s.venue_name, s.venue_name_ko)].filter(Boolean).join(' · ');
    return s.location || '';
  };
  const timeRange = (s) => `${formatTime(s.starts_at, ctx.tz, getLanguage())}–${formatTime(s.ends_at, ctx.tz, getLanguage())}`;

  const view = listView({
    caption: () => t('tab.agenda'),
    newLabel: 'new.session',
    columns: [
      { key: 'starts_at', label: 'col.time', sortable: true, cls: 'col-time', render: timeRange },
      { key: 'kind', label: 'field.kind', sortable: true, render: (s) => chip('session_kind', s.kind) },
      { key: 'title', label: 'col.title', sortable: true, sortValue: title, render: (s) => userText(title(s), 'cell-text name-primary') },
      { key: 'place', label: 'col.place', sortable: true, sortValue: place, render: place },
      { key: 'participants', label: 'col.audience', sortable: true, render: (s) => say(s.audience_text) },
    ],
    load: () => api.sessionList(ctx.eventId),
    searchText: (s) => [s.title_en, s.title_ko, s.room_name, s.room_name_ko, s.venue_name, s.venue_name_ko, s.location, s.description].join(' '),
    defaultSort: { key: 'starts_at', desc: false },
    groupBy: (s) => formatDate(dayKey(s.starts_at, ctx.tz), getLanguage(), true),
    onRowClick: (s) => showRoster(s),
    open: (s) => edit(s),
    create: () => edit(null),
    rowActions: (s) => [
      { label: t('action.edit'), action: 'edit', ariaLabel: t('action.editNamed', { name: title(s) }), onClick: () => edit(s) },
    ],
    remove: (s, cascade) => api.sessionDelete(s.id, cascade),
    rowName: title,
    emptyText: () => t('empty.sessions'),
    selectedId: () => (selected ? selected.id : null),
    afterRender: (rows) => {
      // Keep the roster header in step with a renamed or re-timed session.
      if (selected) {
        const fresh = rows.find((r) => r.id === selected.id);
        if (fresh) selected = fresh;
      }
    },
    onDeleted: (s) => { if (selected && selected.id === s.id) closeRoster(); },
  });
  panel.appendChild(h('div', { class: 'agenda-layout' }, view.el, rosterHost));
  view.refresh();

  const edit = (row) => editSession(ctx, row, {
    onSaved: () => { toast(t('toast.saved'), 'info'); if (selected) reloadRoster(); else view.refresh(); },
    remove: row ? () => view.remove(row) : null,
  });

  function closeRoster() {
    selected = null;
    rosterHost.replaceChildren();
    panel.querySelector('.agenda-layout').classList.remove('with-roster');
    view.repaint();
  }

  // The roster screen shows a page of the roster; the search finds anyone on it.
  const ROSTER_PAGE = 200;

  async function showRoster(session, search = '') {
    selected = session;
    view.repaint();
    panel.querySelector('.agenda-layout').classList.add('with-roster');
    let page;
    let leftOut = [];
    try {
      [page, leftOut] = await Promise.all([
        api.participantList(session.id, { search, limit: ROSTER_PAGE }),
        session.audience === 'list' ? Promise.resolve([]) : api.rosterLeftOut(session.id),
      ]);
    } catch (err) {
      showError(err);
      return;
    }
    if (!selected || selected.id !== session.id) return;
    renderRoster(session, page, leftOut, search);
  }

  async function reloadRoster() {
    if (!selected) return;
    const s = selected;
    const search = rosterHost.querySelector('#roster-filter');
    await view.refresh();
    showRoster(selected || s, search ? search.value : '');
  }

  const byWord = (session, p) => {
    if (p.membership === 'rule') return t('roster.by.rule');
    return t(session.audience === 'list' ? 'roster.by.list' : 'roster.by.exception');
  };

  function renderRoster(session, page, leftOut, search) {
    const participants = page.rows;
    const columns = [
      // The name in the official's own script under the passport name: the roster shares the
      // window with the agenda and the add control, and a column of its own cut the others.
      { key: 'full_name', label: 'col.fullName', render: (p) => twoNames(p.full_name, p.native_name) },
      { key: 'delegation', label: 'col.delegation', render: (p) => localName(p.delegation_name_en, p.delegation_name_ko) },
      { key: 'role', label: 'field.role', render: (p) => roleSelect(session, p) },
      { key: 'attended', label: 'col.attended', cls: 'center', render: (p) => attendBox(session, p) },
      { key: 'membership', label: 'roster.col.by', render: (p) => chip('membership', p.membership, byWord(session, p)) },
    ];
    const table = renderTable({
      id: 'roster-table',
      caption: t('roster.caption', { title: title(session) }),
      columns,
      rows: participants,
      actions: (p) => [{
        label: t('action.remove'), action: 'remove', danger: true, ariaLabel: t('roster.removeNamed', { name: p.full_name }),
        onClick: () => removeParticipant(session, p),
      }],
      emptyText: t('empty.roster'),
    });
    const filter = h('input', {
      type: 'search', id: 'roster-filter', class: 'search', value: search,
      'aria-label': t('roster.search'), placeholder: t('roster.search'), autocomplete: 'off',
      onInput: debounce((e) => showRoster(session, e.target.value), 150),
    });
    const more = page.total > participants.length
      ? h('p', { class: 'muted small', id: 'roster-more' }, t('roster.more', { shown: formatNumber(participants.length), n: formatNumber(page.total) }))
      : null;
    mount(rosterHost,
      h('section', { id: 'roster', class: 'roster', 'aria-labelledby': 'roster-title' },
        h('div', { class: 'roster-head' },
          h('div', { class: 'roster-title-block' },
            h('h2', { id: 'roster-title' }, userText(title(session), 'title-text')),
            h('p', { class: 'muted' },
              formatInstant(session.starts_at, ctx.tz, getLanguage()), ' · ',
              h('span', { id: 'roster-audience' }, say(session.audience_text))),
            h('p', { class: 'muted small roster-rule' }, t(`roster.rule.${session.audience}`), ' ',
              h('button', { type: 'button', class: 'btn btn-small btn-quiet', id: 'roster-audience-edit', onClick: () => edit(session) }, t('roster.changeAudience')))),
          h('button', { type: 'button', class: 'btn btn-quiet', id: 'roster-close', 'aria-label': t('roster.close'), onClick: closeRoster }, '×')),
        h('div', { class: 'roster-main' }, filter, table, more, leftOut.length ? leftOutList(session, leftOut) : null),
        addControl(session)));
    if (search) {
      const box = rosterHost.querySelector('#roster-filter');
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }

  /** Those left out of a session with a rule, each with a button to put them back. */
  function leftOutList(session, rows) {
    return h('section', { class: 'roster-left-out', id: 'roster-left-out', 'aria-labelledby': 'left-out-title' },
      h('h3', { id: 'left-out-title' }, t('roster.leftOut', { n: formatNumber(rows.length) })),
      h('ul', { class: 'plain-list' }, rows.map((p) => h('li', { class: 'check-item' },
        h('span', { dir: 'auto' }, officialLabel(p)),
        h('button', {
          type: 'button', class: 'btn btn-small', 'aria-label': t('roster.putBackNamed', { name: p.full_name }),
          onClick: async () => {
            try {
              await api.participantsAdd(session.id, [p.official_id], p.role);
              reloadRoster();
            } catch (err) {
              showError(err);
            }
          },
        }, t('roster.putBack'))))));
  }

  function roleSelect(session, p) {
    return h('select', {
      class: 'role-select', 'aria-label': t('roster.roleFor', { name: p.full_name }),
      onChange: async (e) => {
        try {
          await api.rosterRole(session.id, p.official_id, e.target.value);
          p.role = e.target.value;
        } catch (err) {
          e.target.value = p.role;
          showError(err);
        }
      },
    }, enumOptions('role').map((o) => h('option', { value: o.value, selected: o.value === p.role }, o.label)));
  }

  function attendBox(session, p) {
    return h('input', {
      type: 'checkbox', class: 'attend-box', checked: Boolean(p.attended_at),
      'aria-label': t('roster.attendedFor', { name: p.full_name }),
      title: p.attended_at ? formatInstant(p.attended_at, ctx.tz, getLanguage()) : null,
      onChange: async (e) => {
        const box = e.target;
        try {
          const updated = await api.participantAttend(session.id, p.official_id, box.checked);
          p.attended_at = updated ? updated.attended_at : null;
          box.title = p.attended_at ? formatInstant(p.attended_at, ctx.tz, getLanguage()) : '';
        } catch (err) {
          box.checked = !box.checked;
          showError(err);
        }
      },
    });
  }

  async function removeParticipant(session, p) {
    const ok = await confirmDialog(t('roster.confirmRemove', { name: p.full_name, title: title(session) }), { ok: t('action.remove') });
    if (!ok) return;
    try {
      await api.rosterRemove(session.id, p.official_id);
      reloadRoster();
    } catch (err) {
      showError(err);
    }
  }

  /** Search box + checklist of officials not on the roster + role + Add. */
  function addControl(session) {
    const chosen = new Set();
    const list = h('div', { class: 'checklist', id: 'roster-candidates', role: 'group', 'aria-label': t('roster.candidates') });
    const countEl = h('span', { class: 'muted', role: 'status' });
    const role = h('select', { id: 'roster-role', 'aria-label': t('roster.roleForNew') },
      enumOptions('role').map((o) => h('option', { value: o.value }, o.label)));
    const addBtn = h('button', { type: 'button', id: 'roster-add', class: 'btn btn-primary', disabled: true, onClick: add }, t('roster.add'));
    const updateCount = () => {
      countEl.textContent = t('roster.selected', { n: formatNumber(chosen.size) });
      addBtn.disabled = chosen.size === 0;
    };
    let seq = 0;
    async function search(q) {
      const my = ++seq;
      try {
        const res = await api.officialList(ctx.eventId, { search: q.trim(), sort: 'name', limit: 200, not_on_session: session.id });
        if (my !== seq) return;
        const rows = res.rows;
        mount(list, rows.length === 0 ? h('p', { class: 'empty-state' }, t('roster.noCandidates')) : rows.map((o) => {
          const id = `cand-${o.id}`;
          return h('div', { class: 'check-item' },
            h('input', {
              type: 'checkbox', id, value: o.id, checked: chosen.has(o.id),
              onChange: (e) => { if (e.target.checked) chosen.add(o.id); else chosen.delete(o.id); updateCount(); },
            }),
            h('label', { for: id, dir: 'auto' }, officialLabel(o)));
        }), res.total > res.rows.length ? h('p', { class: 'muted small' }, t('roster.refine', { n: formatNumber(res.total) })) : null);
      } catch (err) {
        if (my === seq) showError(err);
      }
    }
    async function add() {
      addBtn.disabled = true;
      try {
        const n = await api.participantsAdd(session.id, [...chosen], role.value);
        toast(t('roster.added', { n: formatNumber(n) }), 'info');
        reloadRoster();
      } catch (err) {
        showError(err);
        addBtn.disabled = false;
      }
    }
    const box = h('input', {
      type: 'search', id: 'roster-search', class: 'search', 'aria-label': t('roster.searchOfficials'),
      placeholder: t('roster.searchOfficials'), autocomplete: 'off', onInput: debounce((e) => search(e.target.value), 150),
    });
    updateCount();
    search('');
    return h('div', { class: 'roster-add' },
      h('h3', null, t('roster.addTitle')),
      box, list,
      h('div', { class: 'roster-add-bar' }, countEl, h('span', { class: 'spacer' }),
        h('label', { for: 'roster-role', class: 'inline-label' }, t('field.role')), role, addBtn));
  }

  return { newRecord: () => edit(null), focusSearch: view.focusSearch };
}

/** The session form; a session_get record works as is. hooks: { onSaved, remove }. */
/** Who a new session of a kind is for: plenaries, meals, ceremonies and breaks are for
 * everyone; panels, workshops, site visits and transfers for a list. */
const audienceFor = (kind) => (['plenary', 'meal', 'ceremony', 'break'].includes(kind) ? 'everyone' : 'list');

export async function editSession(ctx, row, { onSaved = null, remove = null } = {}) {
  let rooms;
  let delegations;
  try {
    [rooms, delegations] = await Promise.all([api.venueRoomList(ctx.eventId), api.delegationList(ctx.eventId)]);
  } catch (err) { showError(err); return; }
  const day = ctx.event.start_date;
  const record = row || {
    ...DEFAULTS.session, event_id: ctx.eventId, audience: audienceFor(DEFAULTS.session.kind),
    starts_at: day ? fromLocalInput(`${day}T09:00`, ctx.tz) : null,
    ends_at: day ? fromLocalInput(`${day}T10:00`, ctx.tz) : null,
  };
  openForm({
    title: row ? t('form.editNamed', { name: title(row) }) : t('new.session'),
    record,
    tz: ctx.tz,
    fields: [
      { name: 'kind', type: 'select', required: true, options: enumOptions('session_kind') },
      { name: 'title_en', wide: true },
      { name: 'title_ko', wide: true },
      { name: 'starts_at', type: 'datetime', required: true, labelText: t('field.starts_at_tz', { tz: ctx.tz }) },
      { name: 'ends_at', type: 'datetime', required: true, labelText: t('field.ends_at_tz', { tz: ctx.tz }) },
      { name: 'venue_room_id', type: 'select', nullable: true, options: rooms.map((r) => ({ value: r.id, label: `${localName(r.venue_name, r.venue_name_ko)} — ${placeName(r)}` })) },
      { name: 'location' },
      { name: 'audience', type: 'select', required: true, options: enumOptions('audience'), follow: { from: 'kind', value: audienceFor } },
      {
        name: 'audience_categories', type: 'multi', wide: true, visibleIf: (v) => v.audience === 'groups',
        options: enumOptions('category').map((o) => ({ value: o.value, label: t(`audience.category.${o.value}`) })),
      },
      { name: 'audience_delegations', type: 'multi', wide: true, visibleIf: (v) => v.audience === 'groups', options: delegationOptions(delegations) },
      { name: 'description', type: 'textarea' },
      { name: 'notes', type: 'textarea' },
    ],
    save: api.sessionSave,
    onSaved,
    remove: row ? remove : null,
  });
}
