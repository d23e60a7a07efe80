//! Sub-tabs inside a tab (hotels / room blocks / stays; venues / rooms). Only one list is
//! mounted at a time so #list-search and #list-new stay unique and Ctrl+N is unambiguous.

import { h } from '../dom.js';
import { t } from '../i18n.js';

const remembered = new Map();

/** subs: [{ key, label, mount(host, ctx) → controller }] */
export function mountSubTabs(panel, ctx, group, subs) {
  const host = h('div', { class: 'subtab-host' });
  let active = null;
  const buttons = subs.map((s) => h('button', {
    type: 'button', class: 'subtab', dataset: { subtab: s.key }, onClick: () => select(s.key),
  }, t(s.label)));
  function select(key) {
    remembered.set(group, key);
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.subtab === key));
    host.replaceChildren();
    active = subs.find((s) => s.key === key).mount(host, ctx);
  }
  panel.appendChild(h('div', { class: 'subtabs', role: 'group', 'aria-label': t(`tab.${group}`) }, buttons));
  panel.appendChild(host);
  select(remembered.get(group) || subs[0].key);
  return {
    newRecord: () => active && active.newRecord(),
    focusSearch: () => active && active.focusSearch(),
  };
}
