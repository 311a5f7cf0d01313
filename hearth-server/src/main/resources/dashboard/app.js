// The dashboard shell: hash routes to views, one polling loop (every 2 s, paused while the tab is hidden or no key
// is known), the API key dialog, the connection indicator and the theme switch.

import * as api from './api.js';
import { h, fill, History } from './dom.js';
import overview from './view-overview.js';
import functionsList from './view-functions.js';
import functionDetail from './view-function.js';
import workers from './view-workers.js';
import jobs from './view-jobs.js';
import usage from './view-usage.js';
import nodes from './view-nodes.js';
import audit from './view-audit.js';
import planner from './view-planner.js';

const POLL_MS = 2000;

const routes = [
  { tab: 'overview', re: /^\/?$/, view: overview },
  { tab: 'functions', re: /^\/functions\/?$/, view: functionsList },
  { tab: 'functions', re: /^\/functions\/([^/]+)\/?$/, view: functionDetail, params: ['fn'] },
  { tab: 'workers', re: /^\/workers\/?$/, view: workers },
  { tab: 'jobs', re: /^\/jobs\/?$/, view: jobs },
  { tab: 'jobs', re: /^\/jobs\/([^/]+)\/?$/, view: jobs, params: ['id'] },
  { tab: 'jobs', re: /^\/jobs\/([^/]+)\/([^/]+)\/?$/, view: jobs, params: ['fn', 'id'] },
  { tab: 'nodes', re: /^\/nodes\/?$/, view: nodes },
  { tab: 'usage', re: /^\/usage\/?$/, view: usage },
  { tab: 'planner', re: /^\/planner\/?$/, view: planner },
  { tab: 'planner', re: /^\/planner\/([^/]+)\/?$/, view: planner, params: ['fn'] },
  { tab: 'audit', re: /^\/audit\/?$/, view: audit },
];

/** State shared by views across route changes: live samples for sparklines. */
const ctx = { history: new History(90), poll: POLL_MS };

const root = document.getElementById('view');
let current = null;
let timer = null;
let inflight = null;
let generation = 0;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  for (const r of routes) {
    const m = hash.match(r.re);
    if (m) {
      const params = {};
      try {
        (r.params || []).forEach((p, i) => { params[p] = decodeURIComponent(m[i + 1]); });
      } catch {
        return null;  // a malformed escape in the address
      }
      return { ...r, params };
    }
  }
  return null;
}

function show() {
  generation++;
  if (current && current.unmount) current.unmount();
  current = null;
  const r = route();
  for (const a of document.querySelectorAll('.tabs a')) {
    a.classList.toggle('active', !!r && a.dataset.tab === r.tab);
  }
  if (!r) {
    fill(root, h('div', { class: 'page-head' }, h('h1', null, 'Not found'),
      h('p', { class: 'muted' }, 'No dashboard page at ', location.hash, '. ', h('a', { href: '#/' }, 'Back to the overview'))));
    return;
  }
  root.replaceChildren();
  current = r.view(root, r.params, ctx);
  refreshNow();
}

/** Refreshes the current view now and restarts the poll clock. */
async function refreshNow() {
  clearTimeout(timer);
  const gen = generation;
  const view = current;
  if (view && view.refresh && api.apiKey() && inflight !== gen) {
    inflight = gen;
    try {
      await view.refresh();
    } catch (e) {
      console.error('refresh failed', e);
    } finally {
      if (inflight === gen) inflight = null;
    }
  }
  if (gen === generation) {
    clearTimeout(timer);
    timer = setTimeout(tick, ctx.poll);
  }
}

function tick() {
  if (document.hidden || keyDialog.open) {
    timer = setTimeout(tick, ctx.poll);
    return;
  }
  refreshNow();
}

ctx.refreshNow = refreshNow;

// ------------------------------------------------------------------ connection indicator

const conn = document.getElementById('conn');
function setConn(state, text) {
  conn.dataset.state = state;
  conn.querySelector('span').textContent = text;
}
api.on('connection', ok => {
  if (!ok) setConn('down', 'Unreachable');
  else if (conn.dataset.state !== 'auth') setConn('up', 'Live');
});

// ------------------------------------------------------------------ API key dialog

const keyDialog = document.getElementById('key-dialog');
const keyInput = document.getElementById('api-key');
const keyError = document.getElementById('key-error');

function askForKey(message) {
  keyError.hidden = !message;
  keyError.textContent = message || '';
  keyInput.value = '';
  if (!keyDialog.open) keyDialog.showModal();
  keyInput.focus();
}

api.on('unauthorized', detail => {
  setConn('auth', 'Key needed');
  if (!keyDialog.open) askForKey(api.apiKey() ? 'The server refused the saved key: ' + (detail || 'unauthorized') : '');
});

document.getElementById('key-form').addEventListener('submit', async e => {
  e.preventDefault();
  const key = keyInput.value.trim();
  if (!key) return;
  const submit = document.getElementById('key-submit');
  submit.disabled = true;
  const res = await api.get('/v1/functions', { key });
  submit.disabled = false;
  if (res.status === 401) {
    keyError.hidden = false;
    keyError.textContent = 'That key was refused. ' + (res.error || '');
    keyInput.select();
    return;
  }
  api.setApiKey(key);
  keyDialog.close();
  setConn(res.ok ? 'up' : 'down', res.ok ? 'Live' : 'Unreachable');
  await learnScope();
  show();
});

// ------------------------------------------------------------------ what the key may do

/**
 * Asks the server what the key may do (GET /v1/whoami) and marks the page with it: actions the key may not take are
 * hidden (style.css hides .needs-invoke, .needs-deploy and .needs-admin by the body's data-scope), not just refused.
 */
async function learnScope() {
  const res = await api.get('/v1/whoami');
  const scope = res.ok && res.data && res.data.scope ? res.data.scope : res.status === 404 ? 'admin' : null;
  if (scope) document.body.dataset.scope = scope;
  const who = document.getElementById('key-button');
  who.title = res.ok ? `Key '${res.data.name}' (${res.data.scope}); click to change it` : 'Change the API key';
}

document.getElementById('key-cancel').addEventListener('click', () => keyDialog.close());
document.getElementById('key-button').addEventListener('click', () => askForKey(''));

// ------------------------------------------------------------------ theme

const THEME = 'hearth.theme';
function applyTheme(t) {
  if (t) document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
}
applyTheme(localStorage.getItem(THEME));
document.getElementById('theme-toggle').addEventListener('click', () => {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === 'dark'
    : matchMedia('(prefers-color-scheme: dark)').matches;
  const next = dark ? 'light' : 'dark';
  localStorage.setItem(THEME, next);
  applyTheme(next);
});

// ------------------------------------------------------------------ start

window.addEventListener('hashchange', show);
document.addEventListener('visibilitychange', () => { if (!document.hidden) refreshNow(); });
if (api.apiKey()) {
  learnScope().then(show);
} else {
  show();
  setConn('auth', 'Key needed');
  askForKey('');
}
