// The domain as a picture: commands → events → projections → tables, drawn here as SVG from
// what /api/overview says (the module's commands and projections, and the command → event
// pairs the log has seen), with no library and no network.

const SVG = 'http://www.w3.org/2000/svg';
const COLUMN = 230;
const NODE_WIDTH = 190;
const NODE_HEIGHT = 30;
const ROW = 42;
const TOP = 34;
const KINDS = ['commands', 'events', 'projections', 'tables'];

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function short(name) {
  return name.length > 24 ? `${name.slice(0, 23)}…` : name;
}

/** An SVG element of the flow; every distinct name is one node of its column. */
export function drawFlow(flow) {
  const tables = [...new Set(flow.projections.flatMap((projection) => projection.tables))];
  const columns = [flow.commands, flow.events, flow.projections.map((p) => p.name), tables];
  const place = new Map();
  columns.forEach((names, column) =>
    names.forEach((name, row) =>
      place.set(`${column}:${name}`, { x: column * COLUMN, y: TOP + row * ROW }),
    ),
  );
  const edges = [
    ...flow.decided.map((pair) => [`0:${pair.command}`, `1:${pair.event}`]),
    ...flow.projections.flatMap((p) => p.handles.map((event) => [`1:${event}`, `2:${p.name}`])),
    ...flow.projections.flatMap((p) => p.tables.map((table) => [`2:${p.name}`, `3:${table}`])),
  ];
  const rows = Math.max(1, ...columns.map((names) => names.length));
  const width = COLUMN * 3 + NODE_WIDTH + 2;
  const height = TOP + rows * ROW;
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Domain flow: ${flow.commands.length} commands, ${flow.events.length} events, ${flow.projections.length} projections, ${tables.length} tables`,
  });
  KINDS.forEach((kind, column) =>
    root.append(svg('text', { x: column * COLUMN + 4, y: 18, class: 'heading' }, kind)),
  );
  for (const [from, to] of edges) {
    const a = place.get(from);
    const b = place.get(to);
    if (!a || !b) continue;
    const [x1, y1, x2, y2] = [a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2, b.x, b.y + NODE_HEIGHT / 2];
    const bend = (x2 - x1) / 2;
    root.append(
      svg('path', {
        d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
        class: 'edge',
      }),
    );
  }
  columns.forEach((names, column) =>
    names.forEach((name) => {
      const { x, y } = place.get(`${column}:${name}`);
      const node = svg('g', { class: `node ${KINDS[column]}` });
      node.append(svg('title', {}, name));
      node.append(svg('rect', { x, y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }));
      node.append(svg('text', { x: x + 8, y: y + 20 }, short(name)));
      root.append(node);
    }),
  );
  return root;
}
