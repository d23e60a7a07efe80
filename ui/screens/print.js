//! Print tab: choose a document (badges in four layouts, participant list, sign-in sheet,
//! delegation list, rooming list, arrivals and departures boards, dispatch sheets, arrival-hall
//! name signs, the transport plan, a session's seating chart, table lists and place cards) and
//! whom it covers, see its
//! first pages as the engine typesets them, then save the PDF and open it.

import * as api from '../api.js';
import { h, mount, userText, probing, afterPaint, reportMetric } from '../dom.js';
import { t, getLanguage, formatNumber, localName, enumOptions, errorText } from '../i18n.js';
import { confirmDialog, showError, toast } from '../dialogs.js';

const DOCUMENTS = ['badges', 'participants', 'precedence', 'signin', 'delegation', 'rooming', 'arrivals', 'departures', 'dispatch', 'namesigns', 'transport', 'seating', 'tables', 'placecards'];
/** The documents of one session. */
const OF_SESSION = ['signin', 'seating', 'tables', 'placecards'];
const LAYOUTS = ['a4-8', 'a6-4', 'cr80', 'a4-fold'];

export function mountPrint(panel, ctx) {
  let colors = {};
  // `paper`: each document's language on paper (en, ko, or both for the lists), remembered per
  // document by the library. Badges are for the guests: English unless chosen otherwise,
  // whatever language the window is in (issue 25).
  const state = { doc: 'badges', layout: 'a4-8', who: 'all', delegation: '', category: '', session: '', hotel: '', day: '', blank: 10, offset: { x_mm: 0, y_mm: 0 }, paper: {} };
  let lists = { delegations: [], sessions: [], hotels: [] };
  const options = h('div', { class: 'print-options', id: 'print-options' });
  const preview = h('div', { class: 'print-preview', id: 'print-preview', 'aria-live': 'polite' });
  const progress = h('progress', { id: 'print-progress', max: '1', value: '0', hidden: true });
  const status = h('span', { class: 'muted', id: 'print-status', role: 'status' });
  const saveBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'print-save', onClick: save }, t('print.save'));
  const previewBtn = h('button', { type: 'button', class: 'btn', id: 'print-preview-btn', onClick: showPreview }, t('print.preview'));
  const docSelect = h('select', {
    id: 'print-doc', 'aria-label': t('print.document'),
    onChange: () => { state.doc = docSelect.value; paintOptions(); showPreview(); },
  }, DOCUMENTS.map((d) => h('option', { value: d }, t(`print.doc.${d}`))));
  panel.appendChild(h('section', { class: 'print', 'aria-labelledby': 'print-title' },
    h('h2', { id: 'print-title', class: 'section-title' }, t('print.title')),
    h('div', { class: 'print-layout' },
      h('div', { class: 'print-side' },
        h('label', { class: 'field' }, h('span', null, t('print.document')), docSelect),
        options,
        h('div', { class: 'toolbar' }, previewBtn, saveBtn),
        progress, status),
      preview)));

  (async () => {
    try {
      const [delegations, sessions, hotels] = await Promise.all([
        api.delegationList(ctx.eventId), api.sessionList(ctx.eventId), api.hotelList(ctx.eventId),
      ]);
      lists = { delegations, sessions, hotels };
      state.offset = await api.printOffsetGet(state.layout);
      colors = await api.printColorsGet();
      const remembered = await Promise.all(DOCUMENTS.map((d) => api.settingGet(`print.language.${d}`)));
      DOCUMENTS.forEach((d, i) => { state.paper[d] = remembered[i] || (d === 'badges' ? 'en' : getLanguage()); });
      state.fullPassport = (await api.settingGet('full_passport.rooming')) === '1';
    } catch (err) { showError(err); }
    paintOptions();
    showPreview();
  })();

  function select(id, label, values, current, onChange, allLabel = null) {
    const el = h('select', { id, 'aria-label': t(label), onChange: () => onChange(el.value) },
      allLabel ? h('option', { value: '' }, t(allLabel)) : null,
      values.map(([v, text]) => h('option', { value: v, selected: v === current }, text)));
    return h('label', { class: 'field' }, h('span', null, t(label)), el);
  }
  const named = (d) => localName(d.display_name_en || d.name_en, d.display_name_ko || d.name_ko);

  function paintOptions() {
    const parts = [];
    const again = (f) => (v) => { f(v); showPreview(); };
    if (state.doc === 'badges') {
      parts.push(select('print-layout', 'print.layout', LAYOUTS.map((l) => [l, t(`print.layout.${l}`)]), state.layout, async (v) => {
        state.layout = v;
        try { state.offset = await api.printOffsetGet(v); } catch (err) { showError(err); }
        paintOptions();
        showPreview();
      }));
      parts.push(select('print-who', 'print.who', ['all', 'delegation', 'category', 'not_printed'].map((w) => [w, t(`print.who.${w}`)]), state.who, (v) => { state.who = v; paintOptions(); showPreview(); }));
      if (state.who === 'delegation') parts.push(select('print-delegation', 'col.delegation', lists.delegations.map((d) => [d.id, named(d)]), state.delegation, again((v) => { state.delegation = v; })));
      if (state.who === 'category') parts.push(select('print-category', 'field.category', enumOptions('category').map((o) => [o.value, o.label]), state.category, again((v) => { state.category = v; })));
      const x = h('input', { type: 'number', id: 'print-offset-x', step: '0.5', min: '-20', max: '20', value: String(state.offset.x_mm) });
      const y = h('input', { type: 'number', id: 'print-offset-y', step: '0.5', min: '-20', max: '20', value: String(state.offset.y_mm) });
      const remember = async () => {
        const offset = { x_mm: Number(x.value) || 0, y_mm: Number(y.value) || 0 };
        try { await api.printOffsetSet(state.layout, offset); state.offset = offset; showPreview(); } catch (err) { showError(err); }
      };
      x.addEventListener('change', remember);
      y.addEventListener('change', remember);
      parts.push(h('fieldset', { class: 'print-offset' }, h('legend', null, t('print.offset')),
        h('label', { class: 'inline-field' }, 'x ', x, ' mm'), h('label', { class: 'inline-field' }, 'y ', y, ' mm')));
      // The colour band of each category; remembered by the library for every event.
      parts.push(h('details', { class: 'print-colors', id: 'print-colors' },
        h('summary', null, t('print.colors')),
        h('div', { class: 'print-color-grid' }, enumOptions('category').map((o) => {
          const input = h('input', {
            type: 'color', id: `print-color-${o.value}`, 'data-category': o.value, value: colors[o.value] || '#1f4e9a',
            onChange: async () => {
              try { await api.printColorSet(o.value, input.value); colors[o.value] = input.value; showPreview(); } catch (err) { showError(err); }
            },
          });
          return h('label', { class: 'inline-field print-color' }, input, ' ', o.label);
        }))));
    } else if (OF_SESSION.includes(state.doc)) {
      if (!state.session && lists.sessions[0]) state.session = lists.sessions[0].id;
      parts.push(select('print-session', 'print.session', lists.sessions.map((s) => [s.id, localName(s.title_en, s.title_ko)]), state.session, again((v) => { state.session = v; })));
      if (state.doc === 'seating') {
        parts.push(select('print-paper', 'print.paperSize', [['a4', 'A4'], ['a3', 'A3']], state.a3 ? 'a3' : 'a4', again((v) => { state.a3 = v === 'a3'; })));
      }
    }
    if (state.doc === 'signin') {
      const blank = h('input', { type: 'number', id: 'print-blank', min: '0', max: '60', value: String(state.blank), onChange: () => { state.blank = Number(blank.value) || 0; showPreview(); } });
      parts.push(h('label', { class: 'field' }, h('span', null, t('print.blankRows')), blank));
    } else if (state.doc === 'delegation') {
      parts.push(select('print-delegation', 'col.delegation', lists.delegations.map((d) => [d.id, named(d)]), state.delegation, again((v) => { state.delegation = v; }), 'print.allDelegations'));
    } else if (state.doc === 'rooming') {
      parts.push(select('print-hotel', 'col.hotel', lists.hotels.map((x) => [x.id, x.name]), state.hotel, again((v) => { state.hotel = v; }), 'print.allHotels'));
      // Masked unless the hotel's register of foreign guests needs them (issue 17); remembered.
      parts.push(h('label', { class: 'check-item', for: 'print-full-passport' },
        h('input', {
          type: 'checkbox', id: 'print-full-passport', checked: Boolean(state.fullPassport),
          onChange: async (e) => {
            state.fullPassport = e.target.checked;
            showPreview();
            try { await api.settingSet('full_passport.rooming', state.fullPassport ? '1' : '0'); } catch (err) { showError(err); }
          },
        }),
        t('print.fullPassport')));
    }
    if (['dispatch', 'namesigns', 'transport'].includes(state.doc)) {
      // One day's runs or signs (the event's local date), or every day when left empty.
      const day = h('input', { type: 'date', id: 'print-day', value: state.day, onChange: () => { state.day = day.value; showPreview(); } });
      parts.push(h('label', { class: 'field' }, h('span', null, t('print.day')), day));
    }
    const languages = state.doc === 'badges' ? ['en', 'ko'] : ['en', 'ko', 'both'];
    parts.push(select('print-language', 'print.paperLanguage', languages.map((l) => [l, t(`print.paper.${l}`)]), paper(), async (v) => {
      state.paper[state.doc] = v;
      showPreview();
      try { await api.settingSet(`print.language.${state.doc}`, v); } catch (err) { showError(err); }
    }));
    mount(options, parts);
  }

  function request() {
    let document;
    switch (state.doc) {
      case 'badges': {
        let selection = { kind: 'all' };
        if (state.who === 'delegation' && state.delegation) selection = { kind: 'delegation', id: state.delegation };
        if (state.who === 'category' && state.category) selection = { kind: 'category', category: state.category };
        if (state.who === 'not_printed') selection = { kind: 'not_printed' };
        document = { kind: 'badges', layout: state.layout, selection };
        break;
      }
      case 'signin': document = { kind: 'sign_in', session_id: state.session, blank_rows: state.blank }; break;
      case 'delegation': document = { kind: 'delegation', delegation_id: state.delegation || null }; break;
      case 'rooming': document = { kind: 'rooming', hotel_id: state.hotel || null }; break;
      case 'dispatch': document = { kind: 'dispatch', day: state.day || null }; break;
      case 'namesigns': document = { kind: 'name_signs', day: state.day || null }; break;
      case 'transport': document = { kind: 'transport', day: state.day || null }; break;
      case 'seating': document = { kind: 'seating', session_id: state.session, a3: Boolean(state.a3) }; break;
      case 'tables': document = { kind: 'tables', session_id: state.session }; break;
      case 'placecards': document = { kind: 'place_cards', session_id: state.session }; break;
      default: document = { kind: state.doc };
    }
    const lang = paper();
    return {
      event_id: ctx.eventId, document, language: lang === 'ko' ? 'ko' : 'en', bilingual: lang === 'both',
      offset: state.doc === 'badges' ? state.offset : null,
      full_passport: state.doc === 'rooming' && Boolean(state.fullPassport),
    };
  }

  function paper() {
    return state.paper[state.doc] || (state.doc === 'badges' ? 'en' : getLanguage());
  }

  const onProgress = (done, total) => {
    progress.hidden = false;
    progress.max = String(Math.max(1, total));
    progress.value = String(done);
  };

  let seq = 0;
  async function showPreview() {
    if (OF_SESSION.includes(state.doc) && !state.session) {
      mount(preview, h('p', { class: 'muted' }, t('print.noSessions')));
      return;
    }
    const my = ++seq;
    const asked = performance.now();
    status.textContent = t('print.typesetting');
    try {
      const p = await api.printPreview(request(), onProgress);
      if (my !== seq) return;
      progress.hidden = true;
      status.textContent = p.badges
        ? t('print.summaryBadges', { pages: formatNumber(p.pages), badges: formatNumber(p.badges), again: formatNumber(p.already_printed) })
        : t('print.summary', { pages: formatNumber(p.pages) });
      state.lastPreview = p;
      const warning = h('div', { class: 'print-small-host' });
      const pages = p.images.map((src, i) => h('img', { src, class: 'print-page', alt: t('print.pageAlt', { n: i + 1, of: p.pages }) }));
      mount(preview, warning, pages);
      paintSmall(warning, p.small_names);
      // The benchmark's figure (issue 24): from asking to the first pages painted, decoded.
      if (probing()) {
        Promise.all(pages.map((img) => img.decode().catch(() => null)))
          .then(() => afterPaint(() => reportMetric('preview_paint', performance.now() - asked)));
      }
      if (p.complete) return;
      // The preview set only the first sheets; every badge's name is checked behind it.
      warning.appendChild(h('p', { class: 'muted small', id: 'print-checking' }, t('print.checkingNames')));
      const all = await api.printSmallNames(request(), () => {});
      if (my !== seq) return;
      paintSmall(warning, all);
    } catch (err) {
      if (my !== seq) return;
      progress.hidden = true;
      status.textContent = '';
      mount(preview, h('div', { class: 'import-error', role: 'alert', id: 'print-error' }, errorText(err)));
    }
  }

  /** Names too long to read on the badge, said before the paper is used. */
  function paintSmall(host, names) {
    mount(host, names && names.length ? h('div', { class: 'print-warning', id: 'print-small-names', role: 'alert' },
      h('p', null, t('print.smallNames', { n: formatNumber(names.length) })),
      h('ul', null, names.map((s) => h('li', null,
        userText(s.name, 'name-primary'), ' — ', t('print.smallNameSize', { size: s.size_pt.toFixed(1), min: formatNumber(s.min_pt) }))))) : null);
  }

  async function save() {
    const p = state.lastPreview;
    if (p && p.already_printed > 0) {
      const ok = await confirmDialog(t('print.confirmReprint', { n: formatNumber(p.already_printed) }), { title: t('print.reprintTitle'), ok: t('print.reprint'), danger: false });
      if (!ok) return;
    }
    const name = `${localName(ctx.event.name_en, ctx.event.name_ko)} - ${t(`print.doc.${state.doc}`)}.pdf`.replace(/[\\/:*?"<>|]/g, ' ');
    saveBtn.disabled = true;
    try {
      const saved = await api.printSave(request(), name, onProgress);
      progress.hidden = true;
      if (!saved) return;
      toast(t('print.saved', { pages: formatNumber(saved.pages) }), 'info');
      // Saved is not printed: the officer says when the sheets came out of the printer, so
      // that "not printed yet" still finds these badges if the PDF was only looked at.
      const mark = saved.badge_ids.length && saved.layout ? h('button', {
        type: 'button', class: 'btn btn-small btn-primary', id: 'print-mark-printed',
        onClick: async () => {
          try {
            const n = await api.printMarkPrinted(saved.badge_ids, saved.layout);
            mark.remove();
            toast(t('print.markedPrinted', { n: formatNumber(n) }), 'info');
            showPreview();
          } catch (err) { showError(err); }
        },
      }, t('print.markPrinted', { n: formatNumber(saved.badge_ids.length) })) : null;
      mount(status, t('print.savedTo'), ' ', userText(saved.path), ' ',
        h('button', { type: 'button', class: 'btn btn-small', id: 'print-open', onClick: () => api.printOpen(saved.token).catch(showError) }, t('print.open')),
        mark ? ' ' : null, mark);
    } catch (err) {
      progress.hidden = true;
      showError(err);
    } finally {
      saveBtn.disabled = false;
    }
  }

  return { newRecord: () => {}, focusSearch: () => docSelect.focus() };
}
