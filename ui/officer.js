//! Who is working: the officer's name and initials, kept in the library. Every change is
//! recorded under the name (the change log's "who"), by the window and by ddesk alike. Asked
//! once, in a banner that leaves the window usable, and changeable from the header.

import { h, mount } from './dom.js';
import { t, errorText } from './i18n.js';
import { settingGet, settingSet } from './api.js';

const officer = { name: '', initials: '' };
let editing = false;

/** Reads the officer from the library (nothing when it names none). */
export async function loadOfficer() {
  try {
    const [name, initials] = await Promise.all([settingGet('officer.name'), settingGet('officer.initials')]);
    officer.name = name || '';
    officer.initials = initials || '';
  } catch {
    // A library that could not be opened names nobody; the problem screen says why.
  }
}

/** The header's officer button, and the banner that asks for the name while there is none. */
export function paintOfficer() {
  const slot = document.getElementById('officer-slot');
  const label = officer.name
    ? `${officer.name}${officer.initials ? ` (${officer.initials})` : ''}`
    : t('officer.who');
  mount(slot, h('button', {
    type: 'button', id: 'officer-button', class: officer.name ? 'officer-button' : 'officer-button officer-missing',
    title: t('officer.change'), onClick: () => { editing = true; paintOfficer(); document.getElementById('officer-name').focus(); },
  }, label));
  const banner = document.getElementById('officer-banner');
  if (officer.name && !editing) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const message = h('span', { class: 'officer-message', role: 'status', id: 'officer-message' });
  const name = h('input', { id: 'officer-name', type: 'text', value: officer.name, maxlength: 100, autocomplete: 'name', 'aria-label': t('officer.name'), placeholder: t('officer.name') });
  const initials = h('input', { id: 'officer-initials', type: 'text', value: officer.initials, maxlength: 5, size: 5, 'aria-label': t('officer.initials'), placeholder: t('officer.initials') });
  mount(banner,
    h('span', { class: 'officer-intro' }, t('officer.intro')),
    name, initials,
    h('button', { type: 'submit', id: 'officer-save', class: 'btn btn-primary btn-small' }, t('action.save')),
    officer.name ? h('button', { type: 'button', class: 'btn btn-small', onClick: () => { editing = false; paintOfficer(); } }, t('action.cancel')) : null,
    message);
  banner.onsubmit = async (e) => {
    e.preventDefault();
    const typedName = name.value.trim();
    const typedInitials = initials.value.trim() || initialsOf(typedName);
    try {
      await settingSet('officer.name', typedName);
      await settingSet('officer.initials', typedInitials);
      officer.name = typedName;
      officer.initials = typedInitials;
      editing = false;
      paintOfficer();
    } catch (err) {
      message.textContent = err.code === 'validation' ? t('officer.invalid') : errorText(err);
    }
  };
  banner.hidden = false;
}

/** "KIM Jiwon" → "KJ": the first letter of each word, for an officer who leaves them out. */
function initialsOf(name) {
  return name.split(/\s+/).filter(Boolean).map((w) => [...w][0].toUpperCase()).join('').slice(0, 5) || '?';
}
