//! A reader of the word catalogues (`ui/locales/*.ftl`, Project Fluent) for the window, which
//! has no build step: the engine reads the same files with fluent-bundle. It knows the part of
//! Fluent the catalogues keep to (a test in the engine holds them to it): messages of text,
//! `{ $arg }`, `{ "literal" }`, `{ PARTICLE($arg, "을", "를") }` and selects on an argument by
//! plural category or exact value.

/** Where a catalogue's entry ends: the next line that starts at the margin. */
const NEXT_ENTRY = /\n(?=\S)/g;

/**
 * A catalogue, read message by message as the window asks for them. A window shows a few dozen
 * of the catalogue's 1,600 messages at start; parsing them all there kept the web process's
 * script engine busy long enough to compile its optimising tier, 6 MB of the window's memory
 * for words it never showed. `get` finds a message's line with one native search of the text.
 */
export class Catalogue {
  constructor(source) {
    // A newline first, so that the first message is found like every other.
    this.text = `\n${source || ''}`;
    this.read = new Map();
  }

  /** The pattern of message `id` (an array of parts), or undefined where there is none. */
  get(id) {
    if (!this.read.has(id)) this.read.set(id, this.find(id));
    return this.read.get(id);
  }

  has(id) { return this.get(id) !== undefined; }

  find(id) {
    // The catalogues write `id = value` (the engine's test of them holds them to it); other
    // spacing around `=` is still Fluent, so a miss looks again with a pattern.
    let head = `\n${id} =`;
    let at = this.text.indexOf(head);
    if (at < 0) {
      const m = new RegExp(`\\n${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*=`).exec(this.text);
      if (!m) return undefined;
      at = m.index;
      [head] = m;
    }
    // The value goes on over the indented and blank lines that follow.
    NEXT_ENTRY.lastIndex = at + head.length;
    const next = NEXT_ENTRY.exec(this.text);
    const body = this.text.slice(at + head.length, next ? next.index : undefined).split('\n');
    body[0] = body[0].replace(/^ /, '');
    return pattern(dedent(body));
  }
}

/** The value's lines joined, the continuation lines' common indent taken off. */
function dedent(body) {
  const rest = body.slice(1).filter((l) => l.trim());
  const indent = rest.length ? Math.min(...rest.map((l) => l.length - l.trimStart().length)) : 0;
  const first = body[0].trim();
  const lines = [first, ...body.slice(1).map((l) => l.slice(indent))];
  return (first ? lines : lines.slice(1)).join('\n').trimEnd();
}

/** A pattern's text into parts: strings, and placeables as objects. */
function pattern(text) {
  const parts = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{', at);
    if (open < 0) { parts.push(text.slice(at)); break; }
    if (open > at) parts.push(text.slice(at, open));
    const close = matching(text, open);
    parts.push(placeable(text.slice(open + 1, close).trim()));
    at = close + 1;
  }
  return parts;
}

/** The index of the brace that closes the one at `open`, string literals skipped. */
function matching(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') { i = text.indexOf('"', i + 1); continue; }
    if (c === '{') depth += 1;
    if (c === '}') { depth -= 1; if (depth === 0) return i; }
  }
  return text.length;
}

function placeable(inner) {
  const select = /^\$(\w+)\s*->\s*([\s\S]*)$/.exec(inner);
  if (select) {
    const variants = [];
    let other = null;
    const re = /(\*?)\[([^\]]+)\][ \t]*/g;
    const marks = [...select[2].matchAll(re)];
    marks.forEach((mk, n) => {
      const start = mk.index + mk[0].length;
      const end = n + 1 < marks.length ? marks[n + 1].index : select[2].length;
      const value = pattern(select[2].slice(start, end).trim());
      variants.push({ key: mk[2].trim(), value });
      if (mk[1] === '*') other = variants.length - 1;
    });
    return { select: select[1], variants, other: other ?? variants.length - 1 };
  }
  const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(inner);
  if (literal) return literal[1];
  const variable = /^\$(\w+)$/.exec(inner);
  if (variable) return { arg: variable[1] };
  const fn = /^([A-Z]+)\((.*)\)$/.exec(inner);
  if (fn) {
    const args = fn[2].split(',').map((a) => a.trim()).map((a) => (a.startsWith('$') ? { arg: a.slice(1) } : a.replace(/^"|"$/g, '')));
    return { fn: fn[1], args };
  }
  return `{${inner}}`;
}

/** Fills a parsed pattern in with `args`, for language `lang` (plural categories). */
export function format(parts, args, lang) {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (part.arg !== undefined) out += args[part.arg] === undefined ? `{${part.arg}}` : String(inLang(args[part.arg], lang));
    else if (part.fn === 'PARTICLE') {
      const [word, closed, open] = part.args.map((a) => (typeof a === 'string' ? a : String(inLang(args[a.arg], lang) ?? '')));
      out += particle(word, closed, open);
    } else if (part.select !== undefined) {
      const value = inLang(args[part.select], lang);
      const category = typeof value === 'number' || /^\d+$/.test(String(value))
        ? pluralRules(lang).select(Number(value)) : null;
      const chosen = part.variants.find((v) => v.key === String(value))
        || part.variants.find((v) => v.key === category)
        || part.variants[part.other];
      out += chosen ? format(chosen.value, args, lang) : '';
    }
  }
  return out;
}

const RULES = new Map();
/** The plural rules of `lang`, made once: making them is far slower than asking them. */
function pluralRules(lang) {
  if (!RULES.has(lang)) RULES.set(lang, new Intl.PluralRules(lang));
  return RULES.get(lang);
}

/** An argument in `lang`: the engine sends words that differ by language (a session's English
 * and Korean titles, a date in words) as `{en, ko}`. */
function inLang(value, lang) {
  return value && typeof value === 'object' ? (value[lang] ?? value.en) : value;
}

/** The Korean particle that follows `word`: `closed` after a syllable with a final consonant
 * (받침), `open` after a vowel; (으)로 also takes 로 after ㄹ. Both, as 을(를), when the word does
 * not end in Hangul. The same rule as the engine's `text::particle`. */
export function particle(word, closed, open) {
  const end = word.trim().slice(-1);
  const last = end.charCodeAt(0);
  // A number ends in how its last digit is read: 영 일 이 삼 사 오 육 칠 팔 구.
  const digitFinals = [21, 8, 0, 16, 0, 0, 1, 8, 8, 0];
  let final;
  if (end >= '0' && end <= '9') final = digitFinals[+end];
  else if (last >= 0xac00 && last <= 0xd7a3) final = (last - 0xac00) % 28;
  else return `${closed}(${open})`;
  if (final === 0) return open;
  if (closed === '으로' && final === 8) return open;
  return closed;
}
