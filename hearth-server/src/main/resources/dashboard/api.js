// The one place the dashboard talks to the control plane: the key from local storage as a bearer token, JSON in
// and out, and a small result object instead of exceptions so that views can show "not available" for a 404.

const KEY = 'hearth.apiKey';

export function apiKey() {
  return localStorage.getItem(KEY) || '';
}

export function setApiKey(key) {
  localStorage.setItem(KEY, key);
}

const listeners = { unauthorized: new Set(), connection: new Set() };

/** Subscribe to 'unauthorized' (a 401 came back) or 'connection' (true/false: the server answered or not). */
export function on(event, fn) {
  listeners[event].add(fn);
}

function emit(event, value) {
  for (const fn of listeners[event]) fn(value);
}

/**
 * Calls the API. Resolves to {ok, status, data, error}: data is parsed JSON (or text for text/plain answers),
 * error is the problem+json detail (or a network message). Never rejects.
 */
export async function call(method, path, body, { key = apiKey(), signal, contentType, accept } = {}) {
  const headers = { Accept: accept || 'application/json' };
  if (key) headers.Authorization = 'Bearer ' + key;
  const init = { method, headers, signal, cache: 'no-store' };
  if (body !== undefined && contentType) {
    headers['Content-Type'] = contentType;  // raw bytes (a zip) or text, sent as they are
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') return { ok: false, status: 0, aborted: true, error: 'aborted' };
    emit('connection', false);
    return { ok: false, status: 0, error: 'cannot reach the server (' + e.message + ')' };
  }
  emit('connection', true);
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  try {
    data = type.includes('json') ? await res.json() : await res.text();
  } catch {
    data = null;
  }
  if (res.status === 401) emit('unauthorized', data && data.detail);
  if (!res.ok) {
    const error = data && typeof data === 'object' && data.detail ? data.detail : res.status + ' ' + res.statusText;
    return { ok: false, status: res.status, data, error };
  }
  return { ok: true, status: res.status, data };
}

export const get = (path, opts) => call('GET', path, undefined, opts);
export const post = (path, body, opts) => call('POST', path, body, opts);
export const put = (path, body, opts) => call('PUT', path, body, opts);
export const patch = (path, body, opts) => call('PATCH', path, body, opts);
export const del = (path, opts) => call('DELETE', path, undefined, opts);

export const enc = encodeURIComponent;
