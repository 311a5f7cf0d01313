// Tiny DOM and formatting helpers. Everything user-supplied goes in as text nodes, never as HTML.

/** h('div', {class: 'x', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function table(columns, rows, { empty = 'Nothing yet.', rowAttrs } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, columns.map(c => h('th', { class: c.num ? 'num' : null }, c.label)))),
    h('tbody', null, rows.map(r => h('tr', rowAttrs ? rowAttrs(r) : null,
      columns.map(c => h('td', { class: c.num ? 'num' : null }, c.cell(r))))))));
}

const STATUS_KIND = {
  COMPLETED: 'ok', READY: 'ok', IN_PROGRESS: 'busy', RUNNING: 'busy', IN_QUEUE: 'wait', STARTING: 'wait',
  FAILED: 'bad', TIMED_OUT: 'bad', CANCELLED: 'muted', DRAINING: 'muted', STOPPED: 'muted',
};

export function badge(status) {
  return h('span', { class: 'badge ' + (STATUS_KIND[status] || 'muted') }, status);
}

export function ms(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v < 1000) return Math.round(v) + ' ms';
  if (v < 60_000) return (v / 1000).toFixed(v < 10_000 ? 2 : 1) + ' s';
  const m = Math.floor(v / 60_000);
  return m + 'm ' + Math.round((v % 60_000) / 1000) + 's';
}

export function num(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return Number(v).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * Dollars as plain decimals, never in exponent form: cents from a cent up, two significant digits below (metered amounts
 * are often fractions of a cent: $0.00000077, not $7.7e-7).
 */
export function usd(v) {
  if (v === null || v === undefined || v === '' || Number.isNaN(Number(v))) return '–';
  const x = Number(v);
  if (x === 0) return '$0';
  if (Math.abs(x) >= 0.01) return (x < 0 ? '-$' : '$') + num(Math.abs(x), 2);
  const digits = Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(x)))));
  return (x < 0 ? '-$' : '$') + Math.abs(x).toFixed(digits).replace(/(\.\d*?[1-9])0+$/, '$1');
}

export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) + ' ' +
    d.toLocaleTimeString(undefined, { hour12: false });
}

export function ago(iso) {
  if (!iso) return '–';
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return Math.floor(s) + 's ago';
  if (s < 3600) return Math.floor(s / 60) + 'm ago';
  if (s < 86400) return Math.floor(s / 3600) + 'h ago';
  return Math.floor(s / 86400) + 'd ago';
}

export function json(v) {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

export function panel(title, body, { actions, id, cls } = {}) {
  return h('section', { class: 'panel' + (cls ? ' ' + cls : ''), id },
    h('div', { class: 'panel-head' }, h('h2', null, title), actions ? h('div', { class: 'panel-actions' }, actions) : null),
    h('div', { class: 'panel-body' }, body));
}

export function stat(label, value, sub) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value), sub ? h('div', { class: 'stat-sub' }, sub) : null);
}

export function notice(kind, text) {
  return h('div', { class: 'notice ' + kind }, text);
}

/** A ring buffer of recent samples per key, for live sparklines that survive re-renders. */
export class History {
  constructor(size = 90) {
    this.size = size;
    this.series = new Map();
  }

  push(key, value) {
    const s = this.series.get(key) || [];
    s.push(value);
    if (s.length > this.size) s.shift();
    this.series.set(key, s);
    return s;
  }

  get(key) {
    return this.series.get(key) || [];
  }
}
