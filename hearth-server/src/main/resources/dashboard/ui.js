// Pieces for the dashboard's actions: a confirmation dialog for what destroys, buttons that show progress, and toasts
// that carry the API's problem+json message when an action fails. Every action calls the same JSON API as the CLI.

import { h } from './dom.js';

let toastBox = null;

/** A short message at the bottom of the page: kind 'ok' or 'bad'; failures stay until dismissed. */
export function toast(kind, text) {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  const close = h('button', { type: 'button', class: 'ghost toast-close', 'aria-label': 'Dismiss' }, '×');
  const el = h('div', { class: 'toast ' + kind }, h('span', { class: 'toast-text' }, text), close);
  close.addEventListener('click', () => el.remove());
  toastBox.append(el);
  if (kind !== 'bad') setTimeout(() => el.remove(), 4000);
  return el;
}

/**
 * Asks before something destructive. With typeToConfirm the person must type that word (a function's name) first.
 * Resolves to true when confirmed.
 */
export function confirmDialog(title, text, { confirmLabel = 'Confirm', typeToConfirm = null, danger = true } = {}) {
  return new Promise(resolve => {
    const typed = typeToConfirm ? h('input', { type: 'text', id: 'confirm-typed', autocomplete: 'off', spellcheck: 'false',
      'aria-label': 'Type ' + typeToConfirm + ' to confirm' }) : null;
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', id: 'confirm-ok', disabled: !!typeToConfirm }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'ghost', id: 'confirm-cancel' }, 'Cancel');
    const form = h('form', { method: 'dialog' }, h('h2', null, title), h('p', { class: 'muted' }, text),
      typed ? h('div', null, h('label', { for: 'confirm-typed' }, 'Type ', h('code', null, typeToConfirm), ' to confirm'), typed) : null,
      h('div', { class: 'actions' }, cancel, ok));
    const dialog = h('dialog', { class: 'confirm-dialog' }, form);
    if (typed) typed.addEventListener('input', () => { ok.disabled = typed.value !== typeToConfirm; });
    const done = answer => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', e => { e.preventDefault(); done(false); });
    form.addEventListener('submit', e => { e.preventDefault(); if (!ok.disabled) done(true); });
    document.body.append(dialog);
    dialog.showModal();
    (typed || cancel).focus();
  });
}

/**
 * A button that runs an action: disabled while it runs. The action returns the API result ({ok, error}, failures
 * reported through report()) or {ok: true, cancelled: true} when the person said no; `success` (a text, or a function
 * of the result) is shown when it worked. `needs` ('invoke', 'deploy' or 'admin') hides it from keys without that
 * scope.
 */
export function actionButton(label, action, { cls = '', id, title, success, needs } = {}) {
  const classes = [cls, needs ? 'needs-' + needs : ''].filter(Boolean).join(' ');
  const b = h('button', { type: 'button', class: classes || null, id, title }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const res = await action();
      // failures were already reported by report(); a success message is optional
      const text = res && res.ok && !res.cancelled && success ? (typeof success === 'function' ? success(res) : success) : null;
      if (text) toast('ok', text);
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

/** Runs an API call and reports its failure as a toast; resolves to the result. */
export async function report(what, promise) {
  const res = await promise;
  if (!res.ok) toast('bad', what + ' failed: ' + res.error);
  return res;
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hint ? h('div', { class: 'muted small' }, hint) : null);
}

/** Saves text as a file download (CSV export). */
export function download(name, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
