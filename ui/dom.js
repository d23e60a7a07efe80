//! Tiny DOM helpers. All text goes in through text nodes, never through HTML parsing,
//! because every string from the backend was typed by someone and may be hostile.

/**
 * Build an element. `attrs` keys:
 *  - `class`, `id`, `for`, `aria-*`, `role`, any other attribute → setAttribute (true → "", false/null → skipped)
 *  - `dataset` → object copied into el.dataset
 *  - `onClick`, `onInput`, … (function values whose key starts with "on") → addEventListener
 *  - `value`, `checked`, `selected`, `disabled`, `hidden` → set as properties
 * Children: strings and numbers become text nodes, arrays are flattened, null/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, val] of Object.entries(attrs || {})) {
    if (val === null || val === undefined || val === false) continue;
    if (key === 'dataset') {
      Object.assign(el.dataset, val);
    } else if (key.startsWith('on') && typeof val === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), val);
    } else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') {
      el[key] = val;
    } else if (key === 'style') {
      throw new Error('Use el.style.x instead of a style attribute (CSP)');
    } else {
      el.setAttribute(key, val === true ? '' : String(val));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace all children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A piece of user-supplied text for a table cell or heading: isolated from the surrounding
 * direction (so RTL overrides cannot flip the layout), cut with an ellipsis by CSS, and
 * shown whole in a tooltip.
 */
export function userText(text, cls = 'cell-text') {
  const s = text === null || text === undefined ? '' : String(text);
  return h('span', { class: cls, dir: 'auto', title: s || null }, s);
}

export function debounce(fn, ms = 150) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

let painted = false;
let probe = false;
/** Work waiting for the first list to be on screen (see whenPainted). */
let waiting = [];

/** Turns timing reports on (only under `cargo xtask bench`). */
export function enableProbe() { probe = true; }
export function probing() { return probe; }

/**
 * Called when a list (or the dashboard) has been put on the page. The first call reports,
 * after the browser has actually painted that frame, how long the window took to show data.
 */
export function markPainted() {
  if (painted) return;
  painted = true;
  document.body.dataset.painted = '1';
  if (performance && performance.mark) performance.mark('first-list-painted');
  if (probe) {
    // When the list went into the page, then when its frame was painted.
    reportMetric('list_mounted', performance.now());
    afterPaint(() => reportMetric('first_paint', performance.now()));
  }
  const queued = waiting;
  waiting = [];
  afterPaint(() => queued.forEach((f) => f()));
}

/**
 * Runs `f` once the first list has been painted (at once if it has been), or after `within`
 * milliseconds if none is (a first screen without a list). For work the first screen does
 * not show, such as the Dashboard tab's problem count: at 20,000 officials it reads the whole
 * event, and on a two-core laptop that would slow the first paint down.
 */
export function whenPainted(f, within = 1000) {
  if (painted) { f(); return; }
  let ran = false;
  const once = () => { if (!ran) { ran = true; f(); } };
  waiting.push(once);
  setTimeout(once, within);
}

/** Runs `f` once the frame holding the current DOM changes has been painted. */
export function afterPaint(f) {
  requestAnimationFrame(() => setTimeout(f, 0));
}

let reporter = null;
export function setMetricReporter(f) { reporter = f; }
export function reportMetric(name, ms) { if (probe && reporter) reporter(name, ms); }
