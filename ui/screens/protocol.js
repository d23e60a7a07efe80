//! Protocol: the event's order of precedence (by protocol rank, then the order of delegations,
//! then the officer's own moves among equals; the office's list of ranks), and each session's
//! seating plan — proposed from the precedence, then changed by dragging a person onto another
//! seat (or with the keyboard: Enter picks a person up, the arrows walk the seats, Enter puts
//! them down, Delete takes them off their seat, Esc cancels).

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { t, formatNumber, localName } from '../i18n.js';
import { showError, toast, confirmDialog } from '../dialogs.js';
import { mountSubTabs } from './subtabs.js';

export function mountProtocol(panel, ctx) {
  return mountSubTabs(panel, ctx, 'protocol', [
    { key: 'precedence', label: 'sub.precedence', mount: mountPrecedence },
    { key: 'seating', label: 'sub.seating', mount: mountSeating },
  ]);
}

const noop = { newRecord: () => {}, focusSearch: () => {} };
const delegationName = (x) => localName(x.delegation_en, x.delegation_ko);

// ---------------------------------------------------------------------------------------------
// The order of precedence

function mountPrecedence(host, ctx) {
  const order = h('select', { id: 'precedence-order', 'aria-label': t('precedence.order'), onChange: () => arrange() },
    ['name_en', 'name_ko', 'arranged'].map((o) => h('option', { value: o }, t(`precedence.order.${o}`))));
  const orgs = h('input', { type: 'checkbox', id: 'precedence-orgs', onChange: () => arrange() });
  const delegations = h('ol', { class: 'precedence-delegations', id: 'precedence-delegations' });
  const body = h('div', { id: 'precedence-body' });
  host.appendChild(h('div', { class: 'protocol precedence' },
    h('div', { class: 'toolbar' },
      h('label', { class: 'inline-field' }, t('precedence.order'), ' ', order),
      h('label', { class: 'check-item', for: 'precedence-orgs' }, orgs, t('precedence.orgsFirst')),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'btn', id: 'precedence-ranks', onClick: () => editRanks(load) }, t('precedence.ranks'))),
    h('p', { class: 'muted small' }, t('precedence.explain')),
    delegations, body));

  let arranged = [];
  async function load(focus = null) {
    let list;
    let event;
    try {
      [list, event, arranged] = await Promise.all([api.precedenceList(ctx.eventId), api.eventGet(ctx.eventId), api.delegationList(ctx.eventId)]);
    } catch (err) { showError(err); return; }
    order.value = event.delegation_order || 'name_en';
    orgs.checked = Boolean(event.organizations_first);
    arranged.sort((a, b) => (a.precedence ?? 0) - (b.precedence ?? 0) || String(a.name_en).localeCompare(String(b.name_en)));
    paintDelegations();
    if (!list.length) { mount(body, h('p', { class: 'empty' }, t('precedence.empty'))); return; }
    const move = (p, up) => h('button', {
      type: 'button', class: 'btn btn-small', disabled: !(up ? p.can_move_up : p.can_move_down),
      'aria-label': t(up ? 'precedence.up' : 'precedence.down', { name: p.name }), dataset: { move: up ? 'up' : 'down' },
      onClick: async () => {
        try { await api.precedenceMove(p.official_id, up); } catch (err) { showError(err); return; }
        load(`${p.official_id}:${up ? 'up' : 'down'}`);
      },
    }, up ? '↑' : '↓');
    mount(body, h('table', { class: 'data-table precedence-table', id: 'precedence-table' },
      h('thead', null, h('tr', null, ['precedence.position', 'col.official', 'field.protocol_rank', 'col.delegation', 'precedence.move']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, list.map((p) => h('tr', { dataset: { official: p.official_id } },
        h('td', { class: 'num' }, formatNumber(p.position)),
        h('td', null, h('div', null, p.name), p.native_name ? h('div', { class: 'muted small' }, p.native_name) : null),
        h('td', null, localName(p.rank_en, p.rank_ko) || h('span', { class: 'muted' }, '—')),
        h('td', null, delegationName(p) || h('span', { class: 'muted' }, '—')),
        h('td', { class: 'precedence-moves' }, move(p, true), move(p, false)))))));
    if (focus) {
      const [id, dir] = focus.split(':');
      const again = body.querySelector(`tr[data-official="${CSS.escape(id)}"] button[data-move="${dir}"]`);
      if (again && !again.disabled) again.focus();
    }
  }

  function paintDelegations() {
    delegations.hidden = order.value !== 'arranged';
    mount(delegations, arranged.map((d, i) => h('li', null,
      h('span', null, localName(d.display_name_en || d.name_en, d.display_name_ko || d.name_ko)),
      h('button', { type: 'button', class: 'btn btn-small', disabled: i === 0, 'aria-label': t('precedence.up', { name: d.name_en }), onClick: () => swap(i, i - 1) }, '↑'),
      h('button', { type: 'button', class: 'btn btn-small', disabled: i === arranged.length - 1, 'aria-label': t('precedence.down', { name: d.name_en }), onClick: () => swap(i, i + 1) }, '↓'))));
  }

  function swap(i, j) {
    [arranged[i], arranged[j]] = [arranged[j], arranged[i]];
    arrange();
  }

  async function arrange() {
    try {
      await api.delegationsArrange(ctx.eventId, order.value, orgs.checked, arranged.map((d) => d.id));
    } catch (err) { showError(err); }
    load();
  }

  load();
  return noop;
}

/** The office's list of ranks, in order: code, English and Korean names. */
async function editRanks(onSaved) {
  let ranks;
  try { ranks = await api.protocolRanks(); } catch (err) { showError(err); return; }
  const dialog = document.getElementById('ground-dialog');
  const rows = h('tbody');
  const paint = () => mount(rows, ranks.map((r, i) => h('tr', null,
    h('td', null, h('input', { value: r.code, 'aria-label': t('ranks.code'), class: 'rank-code', onInput: (e) => { r.code = e.target.value.trim(); } })),
    h('td', null, h('input', { value: r.name_en, 'aria-label': t('ranks.nameEn'), onInput: (e) => { r.name_en = e.target.value; } })),
    h('td', null, h('input', { value: r.name_ko, 'aria-label': t('ranks.nameKo'), lang: 'ko', onInput: (e) => { r.name_ko = e.target.value; } })),
    h('td', { class: 'precedence-moves' },
      h('button', { type: 'button', class: 'btn btn-small', disabled: i === 0, onClick: () => { [ranks[i - 1], ranks[i]] = [ranks[i], ranks[i - 1]]; paint(); } }, '↑'),
      h('button', { type: 'button', class: 'btn btn-small', disabled: i === ranks.length - 1, onClick: () => { [ranks[i + 1], ranks[i]] = [ranks[i], ranks[i + 1]]; paint(); } }, '↓'),
      h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('ranks.remove'), onClick: () => { ranks.splice(i, 1); paint(); } }, '×')))));
  paint();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  mount(dialog, h('form', { method: 'dialog', class: 'dialog-body', id: 'ranks-form', onSubmit: async (e) => {
    e.preventDefault();
    try {
      await api.protocolRanksSave(ranks);
    } catch (err) { error.hidden = false; error.textContent = err.message || String(err); return; }
    dialog.close();
    toast(t('ranks.saved'));
    onSaved();
  } },
  h('h2', null, t('ranks.title')),
  h('p', { class: 'muted small' }, t('ranks.explain')),
  h('table', { class: 'data-table ranks-table' },
    h('thead', null, h('tr', null, ['ranks.code', 'ranks.nameEn', 'ranks.nameKo', ''].map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))),
    rows),
  h('button', { type: 'button', class: 'btn', onClick: () => { ranks.push({ code: '', name_en: '', name_ko: '' }); paint(); } }, t('ranks.add')),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onClick: () => dialog.close() }, t('action.cancel')),
    h('button', { type: 'submit', class: 'btn btn-primary', id: 'ranks-save' }, t('action.save')))));
  dialog.showModal();
}

// ---------------------------------------------------------------------------------------------
// Seating plans

function mountSeating(host, ctx) {
  let sessions = [];
  let session = null;
  let plan = null;
  /** The person picked up by the keyboard (or a click): {official, name}. */
  let picked = null;
  const sessionSel = h('select', { id: 'seating-session', 'aria-label': t('seating.session'), onChange: () => { session = sessionSel.value; load(); } });
  const layoutSel = h('select', { id: 'seating-layout', 'aria-label': t('seating.layout') },
    ['head_table', 'rows', 'rounds'].map((l) => h('option', { value: l }, t(`seating.layout.${l}`))));
  const seats = h('input', { type: 'number', id: 'seating-seats', min: '0', max: '1000', value: '10', 'aria-label': t('seating.seats') });
  const status = h('p', { class: 'seating-status', id: 'seating-status', role: 'status', 'aria-live': 'polite' });
  const tables = h('div', { class: 'seating-tables', id: 'seating-tables' });
  const unseated = h('div', { class: 'seating-unseated', id: 'seating-unseated', 'aria-label': t('seating.unseated') });
  host.appendChild(h('div', { class: 'protocol seating' },
    h('div', { class: 'toolbar' },
      h('label', { class: 'inline-field' }, t('seating.session'), ' ', sessionSel),
      h('label', { class: 'inline-field' }, t('seating.layout'), ' ', layoutSel),
      h('label', { class: 'inline-field' }, t('seating.seats'), ' ', seats),
      h('button', { type: 'button', class: 'btn btn-primary', id: 'seating-propose', onClick: propose }, t('seating.propose')),
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted small' }, t('seating.keys'))),
    status,
    h('div', { class: 'seating-layout' }, tables, h('aside', { class: 'seating-side' }, h('h3', null, t('seating.unseated')), unseated))));

  (async () => {
    try { sessions = await api.sessionList(ctx.eventId); } catch (err) { showError(err); return; }
    mount(sessionSel, sessions.map((s) => h('option', { value: s.id }, localName(s.title_en, s.title_ko))));
    // The first session with a plan, else the first meal or ceremony, else the first.
    const first = sessions.find((s) => s.seating) || sessions.find((s) => ['meal', 'ceremony'].includes(s.kind)) || sessions[0];
    if (!first) { mount(tables, h('p', { class: 'empty' }, t('seating.noSessions'))); return; }
    session = first.id;
    sessionSel.value = session;
    load();
  })();

  async function load(focus = null) {
    if (!session) return;
    try { plan = await api.seatingPlan(session); } catch (err) { showError(err); return; }
    paint(focus);
  }

  async function propose() {
    if (!session) return;
    const seated = plan ? plan.tables.some((tb) => tb.seats.some((s) => s.guest)) : false;
    if (seated && !(await confirmDialog(t('seating.replace'), { ok: t('seating.propose'), danger: false }))) return;
    try {
      plan = await api.seatingPropose(session, layoutSel.value, seats.value);
    } catch (err) { showError(err); return; }
    toast(t('seating.proposed'));
    paint();
  }

  async function move(official, table, seat) {
    picked = null;
    try {
      plan = await api.seatingMove(session, official, table, seat);
    } catch (err) { showError(err); load(); return; }
    paint(table ? `${table}:${seat}` : null);
  }

  function seatLabel(tb, s) {
    if (plan.layout === 'head_table') return t('seating.seatN', { seat: s.seat });
    if (plan.layout === 'rows') return t('seating.rowSeat', { row: tb.no, seat: s.seat });
    return t('seating.tableSeat', { table: tb.no, seat: s.seat });
  }

  function paint(focus = null) {
    if (plan.layout) layoutSel.value = plan.layout;
    if (plan.seats_per_table) seats.value = String(plan.seats_per_table);
    const seatedCount = plan.roster - plan.unseated.length;
    status.textContent = picked ? t('seating.moving', { name: picked.name })
      : plan.layout ? t('seating.count', { seated: formatNumber(seatedCount), roster: formatNumber(plan.roster) })
        : t('seating.none');
    if (!plan.layout) {
      mount(tables, h('p', { class: 'empty' }, t('seating.noPlan')));
    } else {
      mount(tables, plan.tables.map((tb) => h('section', { class: `seat-table seat-table-${plan.layout}`, dataset: { table: String(tb.no) } },
        h('h3', null, plan.layout === 'head_table' ? t('seating.headTable') : plan.layout === 'rows' ? t('seating.row', { n: tb.no }) : t('seating.table', { n: tb.no })),
        h('div', { class: 'seat-grid' }, tb.seats.map((s) => {
          const g = s.guest;
          const hole = s.issue === 'cancelled' || s.issue === 'not_on_roster';
          return h('button', {
            type: 'button',
            class: `seat${g && !hole ? '' : ' seat-empty'}${s.issue ? ` seat-issue-${s.issue}` : ''}${picked && g && picked.official === g.official_id ? ' seat-picked' : ''}`,
            dataset: { table: String(tb.no), seat: String(s.seat), official: g && !hole ? g.official_id : '' },
            'aria-label': `${seatLabel(tb, s)}: ${g ? g.name : t('seating.empty')}${s.issue ? ` (${t(`seating.issue.${s.issue}`)})` : ''}`,
            title: s.issue ? t(`seating.issue.${s.issue}`) : '',
          },
          h('span', { class: 'seat-no' }, String(s.seat)),
          g ? h('span', { class: 'seat-name' }, g.name) : h('span', { class: 'seat-name muted' }, t('seating.empty')),
          g ? h('span', { class: 'seat-delegation' }, hole ? t(`seating.issue.${s.issue}`) : localName(g.delegation_en, g.delegation_ko)) : null);
        })))));
    }
    mount(unseated, plan.unseated.length
      ? plan.unseated.map((g) => h('button', { type: 'button', class: 'seat-guest', dataset: { official: g.official_id } },
        h('span', { class: 'seat-name' }, g.name), h('span', { class: 'seat-delegation' }, localName(g.delegation_en, g.delegation_ko))))
      : h('p', { class: 'muted small' }, plan.layout ? t('seating.allSeated') : ''));
    if (focus) {
      const [tb, s] = focus.split(':');
      const el = tables.querySelector(`.seat[data-table="${tb}"][data-seat="${s}"]`);
      if (el) el.focus();
    }
  }

  const nameOf = (official) => {
    for (const tb of plan.tables) for (const s of tb.seats) if (s.guest && s.guest.official_id === official) return s.guest.name;
    const g = plan.unseated.find((x) => x.official_id === official);
    return g ? g.name : '';
  };

  // Picking up and putting down: a click, Enter or Space on a person picks them up; on a seat,
  // puts them there (someone seated there takes the other's old seat).
  function activate(el) {
    const seat = el.closest('.seat');
    if (picked && seat) { move(picked.official, Number(seat.dataset.table), Number(seat.dataset.seat)); return; }
    if (picked && el.closest('#seating-unseated')) { move(picked.official, null, null); return; }
    const official = el.dataset.official;
    if (!official) return;
    picked = { official, name: nameOf(official) };
    paint();
    const again = host.querySelector(`[data-official="${CSS.escape(official)}"]`);
    if (again) again.focus();
  }

  host.addEventListener('click', (e) => {
    if (dragged) return;
    const el = e.target.closest('.seat, .seat-guest');
    if (el) activate(el);
  });

  host.addEventListener('keydown', (e) => {
    const el = e.target.closest('.seat, .seat-guest');
    if (!el) return;
    if (e.key === 'Escape' && picked) { e.preventDefault(); e.stopPropagation(); picked = null; paint(); return; }
    if ((e.key === 'Delete' || e.key === 'Backspace') && el.dataset.official && el.classList.contains('seat')) {
      e.preventDefault();
      move(el.dataset.official, null, null);
      return;
    }
    const all = [...host.querySelectorAll('.seat')];
    const i = all.indexOf(el);
    if (i < 0) return;
    let next = null;
    if (e.key === 'ArrowRight') next = all[i + 1];
    if (e.key === 'ArrowLeft') next = all[i - 1];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      // The same place at the next (or previous) table.
      const table = el.closest('.seat-table');
      const sibling = e.key === 'ArrowDown' ? table.nextElementSibling : table.previousElementSibling;
      if (sibling) {
        const seatsThere = [...sibling.querySelectorAll('.seat')];
        const at = [...table.querySelectorAll('.seat')].indexOf(el);
        next = seatsThere[Math.min(at, seatsThere.length - 1)];
      }
    }
    if (next) { e.preventDefault(); next.focus(); }
  });

  // Dragging with the mouse (or a pen, or a finger): a person onto a seat, or onto the list of
  // those without a seat.
  let drag = null;
  let dragged = false;
  host.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    const el = e.target.closest('[data-official]');
    if (!el || !el.dataset.official) return;
    drag = { official: el.dataset.official, x: e.clientX, y: e.clientY, ghost: null };
  });
  host.addEventListener('pointermove', (e) => {
    if (!drag) return;
    if (!drag.ghost && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 5) return;
    if (!drag.ghost) {
      drag.ghost = h('div', { class: 'seat-ghost', 'aria-hidden': 'true' }, nameOf(drag.official));
      document.body.appendChild(drag.ghost);
    }
    drag.ghost.style.left = `${e.clientX + 8}px`;
    drag.ghost.style.top = `${e.clientY + 8}px`;
    for (const over of host.querySelectorAll('.drop-over')) over.classList.remove('drop-over');
    const target = document.elementFromPoint(e.clientX, e.clientY);
    const seat = target && target.closest('.seat, #seating-unseated');
    if (seat && host.contains(seat)) seat.classList.add('drop-over');
  });
  host.addEventListener('pointerup', (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (!d.ghost) return;
    d.ghost.remove();
    // The click that may follow the drop is not a pick-up.
    dragged = true;
    setTimeout(() => { dragged = false; }, 0);
    for (const over of host.querySelectorAll('.drop-over')) over.classList.remove('drop-over');
    const target = document.elementFromPoint(e.clientX, e.clientY);
    if (!target || !host.contains(target)) return;
    const seat = target.closest('.seat');
    if (seat) move(d.official, Number(seat.dataset.table), Number(seat.dataset.seat));
    else if (target.closest('#seating-unseated')) move(d.official, null, null);
  });

  return noop;
}
