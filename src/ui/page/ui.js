// The page of `eventlite ui`: the log as it grows (server-sent events), the read models as the
// projections move, the streams, the domain's flow, a query box, a command box and, with
// --replay, the scenario one line at a time.
import {
  addLogRow,
  eventList,
  showRows,
  showScenario,
  showStream,
  showStreams,
  showView,
  stepView,
} from './panels.js';
import { api, failureText, h, show } from './render.js';

const $ = (id) => document.getElementById(id);
/** Events shown when the page opens; the stream goes on from there. */
const RECENT = 50;
let overview;
let selectedStream;
const knownStreams = new Set();
const knownFlow = new Set();

// The token comes in the address the terminal printed (#token=…): kept for this tab, and taken
// out of the address bar, which a projector would show to the class.
const TOKEN_KEY = 'eventlite-token';
const fromAddress = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromAddress) {
  sessionStorage.setItem(TOKEN_KEY, fromAddress);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = () => $('token').value.trim();

/** Waits `ms`, to space out retries. */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` at most once per `ms`, after the last call. */
function debounce(work, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(work, ms);
  };
}

async function start() {
  setLarge(
    localStorage.getItem('eventlite-large') === '1' ||
      new URLSearchParams(location.search).has('large'),
  );
  $('token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const answer = await api('/api/overview');
  if (!answer.ok) return show($('where'), failureText(answer.body, answer.status));
  overview = answer.body;
  showOverview();
  followEvents(Math.max(0, overview.head - RECENT));
  followView();
  refreshStreams();
  if (overview.replay) refreshScenario();
}

function showOverview() {
  const { backend, store, head, domain, allowExec, runProjections } = overview;
  const projections = runProjections ? 'projections kept caught up' : 'projections not run here';
  show(
    $('where'),
    `${store} (${backend}) · head `,
    h('span', { id: 'head' }, head),
    ` · ${projections}`,
  );
  const commands = domain ? domain.commands : [];
  $('command').hidden = commands.length === 0;
  const select = $('command-type');
  if (select.options.length === 0) {
    show(
      select,
      commands.map((command) => h('option', { value: command.name }, command.name)),
    );
    fillExample();
  }
  $('run-command').title = allowExec ? '' : 'start eventlite ui with --allow-exec to run commands';
  if (domain) {
    for (const pair of domain.flow.decided) knownFlow.add(`${pair.command}→${pair.event}`);
    for (const event of domain.flow.events) knownFlow.add(event);
    show($('diagram'), pictureOf(domain.diagram));
  } else show($('diagram'), h('p', {}, 'No domain module: give --domain to see its flow.'));
}

/** The server's SVG drawing of the flow (`diagram --format svg`'s), as an element of this page. */
function pictureOf(svg) {
  const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
  return parsed.tagName === 'svg' ? document.importNode(parsed, true) : h('p', {}, 'no picture');
}

/** The chosen command's data to start from, and a line on where it came from. */
function fillExample() {
  const command = overview.domain?.commands.find((c) => c.name === $('command-type').value);
  $('command-data').value = JSON.stringify(command?.example ?? {}, null, 2);
  show($('command-hint'), command ? hintOf(command) : '');
}

function hintOf({ name, from, required, example }) {
  if (from === 'scenario') return `From the first ${name} line of the scenario.`;
  if (from !== 'schema')
    return `No schema lists ${name}'s fields, nor a scenario line: type its data.`;
  const optional = Object.keys(example).filter((field) => !required.includes(field));
  const list = (fields) => (fields.length === 0 ? 'none' : fields.join(', '));
  return `From ${name}'s schema. Required: ${list(required)}. Optional: ${list(optional)}.`;
}

const refreshOverview = debounce(async () => {
  const answer = await api('/api/overview');
  if (!answer.ok) return;
  overview = answer.body;
  showOverview();
}, 500);

function followEvents(after) {
  const source = new EventSource(`/events?after=${after}`);
  let opened = false;
  source.onopen = () => show($('live'), 'live');
  source.onerror = () => show($('live'), 'reconnecting…');
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    addLogRow($('log-rows'), event, opened);
    show($('head'), String(event.position));
    if (!knownStreams.has(event.stream)) refreshStreams();
    if (event.stream === selectedStream) refreshStream();
    const pair = `${event.metadata?.command}→${event.type}`;
    if (!knownFlow.has(event.type) || (event.metadata?.command && !knownFlow.has(pair)))
      refreshOverview();
  };
  // The backlog arrives at once; what comes after it is new and flashes.
  setTimeout(() => (opened = true), 1000);
}

async function followView() {
  let seq = -1;
  for (;;) {
    try {
      const answer = await api(`/api/view?after=${seq}`);
      if (!answer.ok) throw new Error(failureText(answer.body, answer.status));
      seq = answer.body.seq;
      showView($('projections'), $('tables'), answer.body);
    } catch {
      await pause(1000);
    }
  }
}

const refreshStreams = debounce(async () => {
  const answer = await api('/api/streams');
  if (!answer.ok) return;
  for (const stream of answer.body.streams) knownStreams.add(stream.stream);
  showStreams($('stream-list'), answer.body.streams, (name) => {
    selectedStream = name;
    refreshStream();
  });
}, 300);

async function refreshStream() {
  const answer = await api(`/api/stream?name=${encodeURIComponent(selectedStream)}`);
  if (answer.ok) showStream($('stream-detail'), answer.body);
  else
    show($('stream-detail'), h('p', { class: 'error' }, failureText(answer.body, answer.status)));
}

async function runCommand(submit) {
  submit.preventDefault();
  const result = $('command-result');
  let data;
  try {
    data = JSON.parse($('command-data').value || '{}');
  } catch (error) {
    return show(result, h('p', { class: 'error' }, `the data is not JSON: ${error.message}`));
  }
  show(result, 'running…');
  const body = { command: $('command-type').value, data };
  const answer = await api('/commands', { method: 'POST', body, token: token() });
  if (answer.ok)
    return show(
      result,
      h('p', {}, `${body.command} → ${answer.body.stream}`),
      eventList(answer.body.events),
    );
  const refused = answer.status === 401 ? 'refused: ' : answer.status === 422 ? 'rejected: ' : '';
  show(result, h('p', { class: 'error' }, refused + failureText(answer.body, answer.status)));
}

async function runQuery(submit) {
  submit.preventDefault();
  const answer = await api('/api/query', { method: 'POST', body: { sql: $('query-sql').value } });
  if (answer.ok) showRows($('query-result'), answer.body);
  else show($('query-result'), h('p', { class: 'error' }, failureText(answer.body, answer.status)));
}

async function refreshScenario() {
  $('replay').hidden = false;
  const answer = await api('/api/replay');
  if (!answer.ok) return;
  showScenario($('replay-lines'), answer.body);
  $('next').disabled = answer.body.next === null;
  show($('replay-title'), `Scenario ${answer.body.source}`);
}

async function nextLine() {
  if ($('next').disabled) return;
  $('next').disabled = true;
  const answer = await api('/api/replay/next', { method: 'POST', token: token() });
  if (answer.ok) show($('replay-result'), stepView(answer.body));
  else
    show($('replay-result'), h('p', { class: 'error' }, failureText(answer.body, answer.status)));
  await refreshScenario();
}

function setLarge(on) {
  document.documentElement.classList.toggle('large', on);
  $('large').setAttribute('aria-pressed', String(on));
  localStorage.setItem('eventlite-large', on ? '1' : '0');
}

$('large').addEventListener('click', () =>
  setLarge(!document.documentElement.classList.contains('large')),
);
$('command-type').addEventListener('change', fillExample);
$('command-form').addEventListener('submit', runCommand);
$('query-form').addEventListener('submit', runQuery);
$('query-sql').addEventListener('keydown', (key) => {
  if (key.key === 'Enter' && (key.ctrlKey || key.metaKey)) $('query-form').requestSubmit();
});
$('next').addEventListener('click', nextLine);
document.addEventListener('keydown', (key) => {
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement?.tagName);
  if (typing || key.ctrlKey || key.metaKey || key.altKey) return;
  if (key.key === 'n' || key.key === 'N') {
    if (!$('replay').hidden) nextLine();
  } else if (key.key === 'l' || key.key === 'L')
    setLarge(!document.documentElement.classList.contains('large'));
});
start();
