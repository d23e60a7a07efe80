//! A date field as officers type dates: one text box that reads `2025-09-24`, `24/09`,
//! `9월 24일` and the other forms the import reads (`parseTypedDate`), shows `YYYY-MM-DD`
//! whatever the system's locale, and a calendar beside it that is a help, not a trap: it opens
//! at the field's date, or at the date it follows (an end date's calendar at its start), and
//! Esc closes only the calendar.

import { h } from './dom.js';
import { t } from './i18n.js';
import { parseTypedDate } from './time.js';

const pad = (n) => String(n).padStart(2, '0');

/** { control, input } for a form: `near()` gives the date a calendar should open at when the
 * field is empty. */
export function buildDateField(common, value, { near = () => null, year } = {}) {
  const input = h('input', {
    ...common, type: 'text', value: value || '', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'YYYY-MM-DD', class: 'date-input', maxlength: 30,
  });
  // Shown as the engine stores it once the officer leaves the field; text that is no date stays
  // as typed, for the form to point at.
  input.addEventListener('blur', () => {
    const parsed = parseTypedDate(input.value, year);
    if (parsed) input.value = parsed;
  });
  const popup = h('div', { class: 'calendar', role: 'dialog', 'aria-label': t('calendar.title'), hidden: true });
  const button = h('button', {
    type: 'button', class: 'calendar-button', 'aria-label': t('calendar.open'), title: t('calendar.open'),
    'aria-controls': common.id, 'data-for': common.id, tabindex: '-1',
    onClick: () => (popup.hidden ? open() : close()),
  }, calendarIcon());
  let shown = null;

  function close() {
    popup.hidden = true;
    popup.replaceChildren();
  }

  function open() {
    const from = parseTypedDate(input.value, year) || parseTypedDate(near() || '', year) || todayIso();
    shown = { y: +from.slice(0, 4), m: +from.slice(5, 7) };
    paint(from);
    popup.hidden = false;
    const target = popup.querySelector('button.selected') || popup.querySelector('button.day');
    if (target) target.focus();
  }

  function paint(selected) {
    const { y, m } = shown;
    const first = new Date(Date.UTC(y, m - 1, 1));
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const lead = (first.getUTCDay() + 6) % 7;
    const month = new Intl.DateTimeFormat(document.documentElement.lang || 'en', { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(first);
    const step = (delta) => () => {
      const n = new Date(Date.UTC(shown.y, shown.m - 1 + delta, 1));
      shown = { y: n.getUTCFullYear(), m: n.getUTCMonth() + 1 };
      paint(selected);
    };
    const cells = [];
    for (let i = 0; i < lead; i += 1) cells.push(h('span', { class: 'day-blank' }));
    for (let d = 1; d <= days; d += 1) {
      const iso = `${y}-${pad(m)}-${pad(d)}`;
      cells.push(h('button', {
        type: 'button', class: iso === selected ? 'day selected' : 'day', 'data-date': iso,
        onClick: () => { input.value = iso; input.dispatchEvent(new Event('input', { bubbles: true })); close(); input.focus(); },
      }, String(d)));
    }
    popup.replaceChildren(
      h('div', { class: 'calendar-head' },
        h('button', { type: 'button', class: 'calendar-prev', 'aria-label': t('calendar.prev'), onClick: step(-1) }, '‹'),
        h('span', { class: 'calendar-month' }, month),
        h('button', { type: 'button', class: 'calendar-next', 'aria-label': t('calendar.next'), onClick: step(1) }, '›')),
      h('div', { class: 'calendar-grid' }, cells));
  }

  popup.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      // The calendar only: the form around it stays open.
      e.preventDefault();
      e.stopPropagation();
      close();
      input.focus();
    }
  });
  const control = h('div', { class: 'date-field' }, input, button, popup);
  return { control, input };
}

/** A small calendar drawn as SVG: the emoji needs a colour-emoji font an office PC may lack. */
function calendarIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const el = (tag, attrs) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const svg = el('svg', { viewBox: '0 0 16 16', width: '16', height: '16', 'aria-hidden': 'true', class: 'calendar-icon' });
  svg.append(
    el('rect', { x: '1.5', y: '3', width: '13', height: '11.5', rx: '1.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.3' }),
    el('line', { x1: '1.5', y1: '6.5', x2: '14.5', y2: '6.5', stroke: 'currentColor', 'stroke-width': '1.3' }),
    el('line', { x1: '5', y1: '1.5', x2: '5', y2: '4.5', stroke: 'currentColor', 'stroke-width': '1.3' }),
    el('line', { x1: '11', y1: '1.5', x2: '11', y2: '4.5', stroke: 'currentColor', 'stroke-width': '1.3' }),
    el('rect', { x: '4', y: '8.5', width: '2.5', height: '2', fill: 'currentColor' }),
  );
  return svg;
}

function todayIso() {
  const n = new Date();
  return `${n.getFullYear()}-${pad(n.getMonth() + 1)}-${pad(n.getDate())}`;
}
