// Small SVG charts drawn by hand: a sparkline, a line chart and a stacked bar chart. Colours come from CSS classes
// (s1, s2, ok, bad), so both themes style them. Values may be null (a gap).

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c !== null && c !== undefined) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

const TICKS = 4;

/** A 'nice' axis top: TICKS steps of 1, 2, 2.5 or 5 times a power of ten (whole steps for counts). */
function niceMax(v, integer) {
  const raw = v > 0 ? v / TICKS : 0.25;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = 10 * p;
  for (const m of [1, 2, 2.5, 5]) {
    if (raw <= m * p && !(integer && m === 2.5 && p < 10)) {
      step = m * p;
      break;
    }
  }
  if (integer) step = Math.max(1, Math.round(step));
  return step * TICKS;
}

function path(values, x, y) {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(v).toFixed(1);
    pen = true;
  });
  return d;
}

/** A tiny trend line with a soft area; the last value is marked. */
export function sparkline(values, { width = 96, height = 24, cls = 's1' } = {}) {
  const svg = s('svg', { class: 'spark ' + cls, viewBox: `0 0 ${width} ${height}`, width, height, 'aria-hidden': 'true' });
  if (values.length < 2) return svg;
  const max = Math.max(1, ...values.filter(v => v !== null));
  const x = i => (i / (values.length - 1)) * (width - 3) + 1;
  const y = v => height - 2 - (v / max) * (height - 4);
  const line = path(values, x, y);
  svg.append(s('path', { class: 'area', d: line + `L${x(values.length - 1)},${height}L${x(0)},${height}Z` }));
  svg.append(s('path', { class: 'line', d: line }));
  const last = values[values.length - 1];
  if (last !== null) svg.append(s('circle', { class: 'dot', cx: x(values.length - 1), cy: y(last), r: 1.8 }));
  return svg;
}

function frame(width, height, pad, max, format) {
  const g = s('g', { class: 'grid' });
  for (let t = 0; t <= TICKS; t++) {
    const v = (max / TICKS) * t;
    const yy = height - pad.b - (v / max) * (height - pad.t - pad.b);
    g.append(s('line', { x1: pad.l, x2: width - pad.r, y1: yy, y2: yy }));
    g.append(s('text', { x: pad.l - 6, y: yy + 3.5, 'text-anchor': 'end' }, format(v)));
  }
  return g;
}

function xLabels(labels, x, height, pad) {
  const g = s('g', { class: 'xlabels' });
  if (!labels.length) return g;
  const step = Math.max(1, Math.ceil(labels.length / 5));
  for (let i = 0; i < labels.length; i += step) {
    g.append(s('text', { x: x(i), y: height - 6, 'text-anchor': i === 0 ? 'start' : 'middle' }, labels[i]));
  }
  return g;
}

function legend(series) {
  const div = document.createElement('div');
  div.className = 'legend';
  for (const se of series) {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.className = 'sw ' + se.cls;
    item.append(sw, document.createTextNode(se.name));
    div.append(item);
  }
  return div;
}

/** The plot's margins inside a chart: room for the y labels on the left and the x labels below. */
const PAD = { l: 52, r: 10, t: 10, b: 22 };

function chartBox() {
  const wrap = document.createElement('div');
  wrap.className = 'chart';
  return wrap;
}

/** A chart with nothing to draw says so, in the box it would have filled. */
function emptyChart(wrap, message) {
  const p = document.createElement('p');
  p.className = 'chart-empty';
  p.textContent = message;
  wrap.append(p);
  return wrap;
}

/**
 * Lines over shared x labels: series = [{name, cls, values}], labels = strings. Hovering a column shows its values
 * (as an SVG title, so no script is needed for it).
 */
export function lineChart(series, labels, { format = v => String(v), height = 170, width = 560, integer = false, empty = 'No data in this window.' } = {}) {
  const wrap = chartBox();
  const all = series.flatMap(se => se.values).filter(v => v !== null && v !== undefined);
  if (!all.length) return emptyChart(wrap, empty);
  const pad = PAD;
  const max = niceMax(Math.max(...all), integer);
  const n = labels.length;
  const x = i => pad.l + (n <= 1 ? 0 : (i / (n - 1)) * (width - pad.l - pad.r));
  const y = v => height - pad.b - (v / max) * (height - pad.t - pad.b);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img' });
  svg.append(frame(width, height, pad, max, format), xLabels(labels, x, height, pad));
  for (const se of series) {
    svg.append(s('path', { class: 'series ' + se.cls, d: path(se.values, x, y) }));
    se.values.forEach((v, i) => {
      const lone = (v !== null && v !== undefined) && (se.values[i - 1] == null) && (se.values[i + 1] == null);
      if (lone) svg.append(s('circle', { class: 'pt ' + se.cls, cx: x(i), cy: y(v), r: 2.5 }));
    });
  }
  const colW = n <= 1 ? width : (width - pad.l - pad.r) / (n - 1);
  labels.forEach((label, i) => {
    const tip = label + '\n' + series.map(se => se.name + ': ' +
      (se.values[i] == null ? '–' : format(se.values[i]))).join('\n');
    svg.append(s('rect', { class: 'hover', x: x(i) - colW / 2, y: pad.t, width: colW, height: height - pad.t - pad.b },
      s('title', null, tip)));
  });
  wrap.append(svg, legend(series));
  return wrap;
}

/** Stacked bars: series = [{name, cls, values}] stacked bottom-up per label. */
export function barChart(series, labels, { format = v => String(Math.round(v)), height = 170, width = 560, integer = true, empty = 'No jobs finished in this window.' } = {}) {
  const wrap = chartBox();
  const totals = labels.map((_, i) => series.reduce((a, se) => a + (se.values[i] || 0), 0));
  if (!totals.some(t => t > 0)) return emptyChart(wrap, empty);
  const pad = PAD;
  const max = niceMax(Math.max(...totals), integer);
  const n = labels.length;
  const slot = (width - pad.l - pad.r) / n;
  const bw = Math.max(1, slot * 0.7);
  const x = i => pad.l + i * slot + slot / 2;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img' });
  svg.append(frame(width, height, pad, max, format), xLabels(labels, x, height, pad));
  const plotH = height - pad.t - pad.b;
  labels.forEach((label, i) => {
    let base = height - pad.b;
    for (const se of series) {
      const v = se.values[i] || 0;
      if (v <= 0) continue;
      const hgt = (v / max) * plotH;
      base -= hgt;
      svg.append(s('rect', { class: 'bar ' + se.cls, x: x(i) - bw / 2, y: base, width: bw, height: hgt, rx: 1.5 }));
    }
    const tip = label + '\n' + series.map(se => se.name + ': ' + format(se.values[i] || 0)).join('\n');
    svg.append(s('rect', { class: 'hover', x: x(i) - slot / 2, y: pad.t, width: slot, height: plotH }, s('title', null, tip)));
  });
  wrap.append(svg, legend(series));
  return wrap;
}

/**
 * The cost planner's frontier: one point per policy at (p95 latency, cost), the cheapest-for-its-latency policies
 * joined by a line (no other policy is both faster and cheaper), the SLO's limit as a dashed line and the
 * recommendation ringed. points = [{name, x (seconds), y (dollars), meetsSlo}]; sloX = the limit in seconds or null.
 */
export function frontierChart(points, { sloX = null, recommended = null, height = 340, width = 900,
  format = v => String(v), formatX = v => String(v), empty = 'Nothing to plan.' } = {}) {
  const wrap = chartBox();
  if (!points.length) return emptyChart(wrap, empty);
  const pad = { l: 64, r: 14, t: 12, b: 34 };
  const maxY = niceMax(Math.max(...points.map(p => p.y)), false);
  const maxX = niceMax(Math.max(...points.map(p => p.x), sloX || 0), false);
  const x = v => pad.l + (v / maxX) * (width - pad.l - pad.r);
  const y = v => height - pad.b - (v / maxY) * (height - pad.t - pad.b);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg frontier', role: 'img' });
  svg.append(frame(width, height, pad, maxY, format));
  const xs = s('g', { class: 'xlabels' });
  for (let t = 0; t <= TICKS; t++) {
    const v = (maxX / TICKS) * t;
    xs.append(s('text', { x: x(v), y: height - 18, 'text-anchor': t === 0 ? 'start' : 'middle' }, formatX(v)));
  }
  xs.append(s('text', { x: width - pad.r, y: height - 4, 'text-anchor': 'end' }, 'p95 latency →'));
  svg.append(xs);
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  const frontier = [];
  for (const p of sorted) {
    if (!frontier.length || p.y < frontier[frontier.length - 1].y) frontier.push(p);
  }
  svg.append(s('path', { class: 'series s1 frontier-line', d: frontier.map((p, i) => (i ? 'L' : 'M') + x(p.x).toFixed(1) + ',' + y(p.y).toFixed(1)).join('') }));
  if (sloX !== null) {
    svg.append(s('line', { class: 'slo-line', x1: x(sloX), x2: x(sloX), y1: pad.t, y2: height - pad.b }),
      s('text', { class: 'slo-label', x: x(sloX) + 4, y: pad.t + 10 }, 'SLO'));
  }
  for (const p of points) {
    const onFrontier = frontier.includes(p);
    const cls = 'point ' + (p.meetsSlo ? 'ok' : 'bad') + (onFrontier ? ' on-frontier' : '') + (p.name === recommended ? ' recommended' : '');
    const g = s('g', { class: cls, 'data-policy': p.name },
      s('circle', { cx: x(p.x), cy: y(p.y), r: p.name === recommended ? 6 : 4 }),
      s('title', null, `${p.name}\np95 ${formatX(p.x)}\ncost ${format(p.y)}${p.meetsSlo ? '' : '\nmisses the SLO'}`));
    if (onFrontier || p.name === recommended) {
      g.append(s('text', { x: x(p.x) + 7, y: y(p.y) - 6 }, p.name));
    }
    svg.append(g);
  }
  wrap.append(svg, legend([{ name: 'cheapest for its latency', cls: 's1' }, { name: 'meets the SLO', cls: 'ok' }, { name: 'misses it', cls: 'bad' }]));
  return wrap;
}
