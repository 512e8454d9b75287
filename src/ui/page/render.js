// Small helpers to build the page from data. Text always goes in as text (never as HTML), so
// whatever an event or a row holds is shown, never run.

/** An element with attributes (`on…` are listeners) and children (strings become text). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/** A value as a table cell shows it: objects as compact JSON. */
export function cellText(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A table of `rows` (objects) under `columns`; `classOf(row)` names a row's class. */
export function dataTable(columns, rows, classOf = () => undefined, valuesOf = (row) => row) {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) => h('th', { scope: 'col' }, column)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            { class: classOf(row) },
            columns.map((column) => h('td', {}, cellText(valuesOf(row)[column]))),
          ),
        ),
      ),
    ),
  );
}

/** Replaces what `element` holds. */
export function show(element, ...children) {
  element.replaceChildren(
    ...children.flat().filter((child) => child !== undefined && child !== null),
  );
}

/** `HH:MM:SS` of an ISO time, local. */
export function timeOf(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

/** An error answer as one line: the reason first when the domain gave one. */
export function failureText(body, status) {
  const error = body && body.error;
  if (!error) return `failed (HTTP ${status})`;
  const reason = error.reason && !error.message.includes(error.reason) ? `${error.reason}: ` : '';
  return `${reason}${error.message}`;
}

/**
 * JSON from the server: `{ ok, status, body }`, never throwing, neither for an HTTP failure nor
 * for a server that is not there (status 0: it restarts, and the page reconnects by itself).
 */
export async function api(path, { method = 'GET', body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, body: { error: { message: 'the server is not answering' } } };
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return { ok: response.ok, status: response.status, body: parsed };
}
