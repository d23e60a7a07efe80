//! The window's words in English and Korean (from the shared catalogues, `ui/locales/*.ftl`),
//! the remembered language choice, and helpers for names that come in both languages.

import * as api from './api.js';
import { ENUMS } from './generated.js';
import { Catalogue, format, particle } from './fluent.js';

export { ENUMS };

// The words live in one catalogue per language (`ui/locales/*.ftl`), shared with the engine's
// PDFs, exports and command line; the window asks the backend for them once, at start, and
// reads a language's only when it is first needed (most sessions never leave one language).
const SOURCES = { en: '', ko: '' };
const CATALOGUES = { en: null, ko: null };
let lang = 'en';
const listeners = new Set();

/** Fetches the catalogues' text; before this, `t` answers with keys. */
export async function loadCatalogues() {
  const sources = await api.catalogue();
  for (const code of Object.keys(SOURCES)) {
    SOURCES[code] = sources[code] || '';
    CATALOGUES[code] = null;
  }
}

/** The catalogue of `code`, made on first use; it reads its messages as they are asked for. */
function catalogue(code) {
  if (!CATALOGUES[code]) CATALOGUES[code] = new Catalogue(SOURCES[code]);
  return CATALOGUES[code];
}

/** The catalogue id of a window key: `action.save` is `action-save` (Fluent ids have no dots). */
const idOf = (key) => key.replace(/\./g, '-');

/** The pattern of `id` in `code`, English standing in for a message Korean lacks. */
function patternOf(code, id) {
  return catalogue(code).get(id) || (code === 'en' ? undefined : catalogue('en').get(id));
}

/** Message `id` in the window's language with `args`; `missing` when no catalogue has it. */
function words(id, args, missing) {
  const found = patternOf(lang, id);
  return found ? format(found, args || {}, lang) : missing;
}

/** Translate `key`, filling its arguments from `params`. Falls back to English, then the key. */
export function t(key, params) {
  return words(idOf(key), params, key);
}

export { particle };

/** A message the engine sent as `{id, args}` (a catalogue id and its arguments), in the
 * window's language. */
export function say(text) {
  return text && text.id ? words(text.id, text.args, text.id) : '';
}

/** `key` in every language, joined: for words shown before the officer's language is known. */
export function tAll(key) {
  const id = idOf(key);
  return [...new Set(Object.keys(SOURCES).map((code) => {
    const found = patternOf(code, id);
    return found ? format(found, {}, code) : key;
  }))].join(' · ');
}

export function has(key) { return Boolean(patternOf(lang, idOf(key))); }
export function getLanguage() { return lang; }

/** Read the remembered language; a missing or broken setting means English. */
export async function loadLanguage() {
  try {
    const saved = await api.settingGet('language');
    lang = saved === 'ko' ? 'ko' : 'en';
  } catch {
    lang = 'en';
  }
  document.documentElement.lang = lang;
  return lang;
}

/** Switch language, remember it, and let the current screen re-render. */
export async function setLanguage(next) {
  lang = next === 'ko' ? 'ko' : 'en';
  document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
  await api.settingSet('language', lang);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Select options for an enumeration, labelled in the current language. */
export function enumOptions(group) {
  return ENUMS[group].map((v) => ({ value: v, label: t(`${group}.${v}`) }));
}

/** A name kept in English and Korean: the current language first, the other as fallback. */
export function localName(nameEn, nameKo) {
  return lang === 'ko' ? (nameKo || nameEn || '') : (nameEn || nameKo || '');
}

/** The name in the other language, when there is a different one to show beside it. */
export function otherName(nameEn, nameKo) {
  const shown = localName(nameEn, nameKo);
  const other = lang === 'ko' ? nameEn : nameKo;
  return other && other !== shown ? other : '';
}

export function formatNumber(n) {
  return typeof n === 'number' ? n.toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US') : (n ?? '');
}

/** A field error from the backend in the officer's language (the English sentence if unknown). */
export function fieldErrorText(fe) {
  // The engine's own words for this very problem, from the catalogue.
  if (fe.text && fe.text.id) return say(fe.text);
  const key = `fielderr.${fe.code}`;
  if (catalogue(lang).has(idOf(key))) return t(key);
  return fe.message || t('fielderr.invalid_value');
}

/** A failed call in plain words: the engine's own sentence for it, from the catalogue, in the
 * officer's language; for an error without one, its code's words. */
export function errorText(err) {
  if (err && err.text && err.text.id) return say(err.text);
  const code = err && err.code && catalogue('en').has(idOf(`error.${err.code}`)) ? err.code : 'internal';
  // An error without catalogue words of its own (a record not found, a validation summed up
  // from its fields) keeps its English sentence; Korean says its code.
  if (lang === 'en' && ['not_found', 'validation'].includes(code) && err.message) return err.message;
  return t(`error.${code}`);
}
