//! Reference lists that do not change while the app runs (countries, organizations), loaded
//! once, and small helpers that turn records into select options.

import * as api from './api.js';
import { getLanguage, localName } from './i18n.js';

let countriesP = null;
let orgsP = null;

export function loadCountries() {
  if (!countriesP) countriesP = api.countries().catch((e) => { countriesP = null; throw e; });
  return countriesP;
}

export function loadOrganizations() {
  if (!orgsP) orgsP = api.organizations().catch((e) => { orgsP = null; throw e; });
  return orgsP;
}

/** [{value, label}] sorted by the label in the current language. */
export function namedOptions(list) {
  const lang = getLanguage();
  const coll = new Intl.Collator(lang, { sensitivity: 'base' });
  return list
    .map((c) => ({ value: c.code, label: `${localName(c.name_en, c.name_ko)} (${c.code})` }))
    .sort((a, b) => coll.compare(a.label, b.label));
}

export function countryLabel(list, code) {
  const c = list.find((x) => x.code === code);
  return c ? localName(c.name_en, c.name_ko) : code || '';
}

/** Options for an official picker: a server-side search of the event's officials. */
export function officialSearch(eventId, extra = {}) {
  return async (q) => {
    const res = await api.officialList(eventId, { search: q || '', sort: 'name', limit: 100, ...extra });
    return res.rows.map((o) => ({ value: o.id, label: officialLabel(o) }));
  };
}

export function officialLabel(o) {
  const deleg = localName(o.delegation_name_en, o.delegation_name_ko);
  const native = o.native_name && o.native_name !== o.full_name ? ` ${o.native_name}` : '';
  return `${o.full_name}${native}${deleg ? ` — ${deleg}` : ''}`;
}

export function delegationOptions(delegations) {
  const lang = getLanguage();
  const coll = new Intl.Collator(lang, { sensitivity: 'base' });
  return delegations
    .map((d) => ({ value: d.id, label: localName(d.display_name_en, d.display_name_ko) }))
    .sort((a, b) => coll.compare(a.label, b.label));
}
