// What each part of the page shows, drawn from the server's JSON.
import { cellText, dataTable, h, show, timeOf } from './render.js';

const LOG_ROWS = 200;

/** A log row for one event, newest on top; `fresh` rows flash once. */
export function addLogRow(body, event, fresh) {
  const row = h(
    'tr',
    { class: fresh ? 'fresh' : undefined, 'data-position': event.position },
    h('td', {}, event.position),
    h('td', {}, event.stream),
    h('td', {}, event.version),
    h('td', {}, event.type),
    h('td', { class: 'json' }, JSON.stringify(event.data)),
    h('td', { title: event.recordedAt }, timeOf(event.recordedAt)),
  );
  body.prepend(row);
  while (body.rows.length > LOG_ROWS) body.deleteRow(body.rows.length - 1);
}

/** Each projection's status, checkpoint and lag, and each read table with its marked rows. */
export function showView(projections, tables, view) {
  show(
    projections,
    view.projections.length === 0
      ? h('p', {}, 'No projections here yet.')
      : dataTable(['name', 'status', 'checkpoint', 'lag'], view.projections, (p) =>
          p.status === 'ok' ? undefined : 'attention',
        ),
    view.error ? h('p', { class: 'error' }, view.error) : null,
  );
  show(
    tables,
    view.tables.length === 0 ? h('p', {}, 'No read tables yet.') : null,
    view.tables.map((table) => {
      const title = `${table.name}${table.projection ? ` (${table.projection})` : ''}`;
      const count = table.truncated
        ? `${table.rows.length} of ${table.count} rows`
        : `${table.count} rows`;
      return h(
        'figure',
        { class: 'read-table', 'data-table': table.name },
        h('figcaption', {}, h('strong', {}, title), ` ${count}`),
        dataTable(
          table.columns,
          table.rows,
          (row) => (row.mark ? `mark-${row.mark}` : undefined),
          (row) => row.values,
        ),
      );
    }),
  );
}

/** The streams as buttons; `onPick(name)` when one is chosen. */
export function showStreams(list, streams, onPick) {
  show(
    list,
    streams.map((stream) =>
      h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => onPick(stream.stream) },
          stream.stream,
        ),
        ` v${stream.version}`,
      ),
    ),
  );
}

/** One stream: its events, and the state its decider folds from them. */
export function showStream(detail, body) {
  const state =
    body.state === null
      ? h('p', {}, body.stateNote ?? 'no state')
      : h(
          'div',
          {},
          h('h4', {}, `State (${body.state.decider}, at version ${body.state.version})`),
          h('pre', { class: 'json' }, JSON.stringify(body.state.state, null, 2)),
        );
  show(
    detail,
    h('h3', {}, body.stream),
    state,
    h('h4', {}, 'Events'),
    dataTable(['version', 'type', 'data', 'recordedAt'], body.events),
  );
}

/** A query's rows, or why it was refused. */
export function showRows(target, body) {
  if (body.rows.length === 0) return show(target, h('p', {}, 'no rows'));
  show(
    target,
    dataTable(body.columns, body.rows),
    body.truncated ? h('p', {}, `the first ${body.rows.length} rows`) : null,
  );
}

/** New events as a short list: `stream v3 MoneyDeposited {…}`. */
export function eventList(events) {
  if (events.length === 0) return h('p', {}, 'no events appended');
  return h(
    'ul',
    { class: 'events' },
    events.map((event) =>
      h(
        'li',
        {},
        `#${event.position} ${event.stream} v${event.version} `,
        h('strong', {}, event.type),
        ` ${cellText(event.data)}`,
      ),
    ),
  );
}

/** What a scenario line did: state before and after, the events or the failure, the rows changed. */
export function stepView(step) {
  const state = (label, view) =>
    view
      ? h(
          'p',
          {},
          `${label}: ${view.stream} at version ${view.version}: `,
          h('code', {}, JSON.stringify(view.state)),
        )
      : null;
  return h(
    'div',
    { class: 'step' },
    h('p', {}, h('strong', {}, `line ${step.number}`), ' ', h('code', {}, step.text)),
    state('state before', step.before),
    step.failure
      ? h(
          'p',
          { class: 'error' },
          `${step.failure.rejected ? 'rejected' : 'failed'}: ${step.failure.message}`,
        )
      : eventList(step.events),
    state('state after', step.after),
    step.changes.length === 0
      ? h('p', {}, 'read models: no rows changed')
      : h(
          'ul',
          { class: 'changes' },
          step.changes.map((change) =>
            h(
              'li',
              { class: change.change === '+' ? 'mark-inserted' : 'mark-deleted' },
              `${change.change} ${change.table} ${change.row}`,
            ),
          ),
        ),
  );
}

/** The scenario's lines, those run marked done (or failed), the next one current. */
export function showScenario(list, state) {
  const ran = new Map(state.steps.map((step) => [step.number, step]));
  show(
    list,
    state.lines.map((line) => {
      const step = ran.get(line.number);
      const status = step
        ? step.failure
          ? 'failed'
          : 'done'
        : line.number === state.next
          ? 'next'
          : undefined;
      return h(
        'li',
        {
          value: line.number,
          class: status,
          'aria-current': line.number === state.next ? 'step' : undefined,
        },
        h('code', {}, line.text),
      );
    }),
  );
}
