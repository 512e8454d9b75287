import type { DomainFlow } from '../app/diagram.js';
import { nodeIdsOf, nodesOf, type NodeKind } from './diagram-mermaid.js';

// Where `diagram --format svg` puts each box and arrow: four columns, left to right (commands,
// events, projections, tables), as Mermaid lays out the same flowchart. Each column after the
// first is ordered by where its boxes' arrows come from (the mean row of their sources), which
// keeps most arrows from crossing. Text is measured as monospace: the SVG asks for one, so a
// box fits its name without font metrics.

export const FONT_SIZE = 13;
const CHAR_WIDTH = FONT_SIZE * 0.6;
const BOX_HEIGHT = 34;
const BOX_PADDING = 14;
const ROW_GAP = 14;
const COLUMN_GAP = 90;
const MARGIN = 20;
const HEADING_HEIGHT = 28;

export interface LaidNode {
  kind: NodeKind;
  name: string;
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidEdge {
  from: LaidNode;
  to: LaidNode;
}

export interface Layout {
  width: number;
  height: number;
  headings: { text: string; x: number; y: number }[];
  nodes: LaidNode[];
  edges: LaidEdge[];
}

interface Link {
  fromKind: NodeKind;
  from: string;
  toKind: NodeKind;
  to: string;
}

const COLUMNS: { kind: NodeKind; heading: string }[] = [
  { kind: 'command', heading: 'commands' },
  { kind: 'event', heading: 'events' },
  { kind: 'projection', heading: 'projections' },
  { kind: 'table', heading: 'tables' },
];

export function textWidth(text: string): number {
  return [...text].length * CHAR_WIDTH;
}

export function layoutFlow(flow: DomainFlow): Layout {
  const ids = nodeIdsOf(flow);
  const names = nodesOf(flow);
  const link = (fromKind: NodeKind, from: string, toKind: NodeKind, to: string): Link => ({
    fromKind,
    from,
    toKind,
    to,
  });
  const links = [
    ...flow.decided.map(({ command, event }) => link('command', command, 'event', event)),
    ...flow.projections.flatMap((projection) => [
      ...projection.handles.map((event) => link('event', event, 'projection', projection.name)),
      ...projection.tables.map((table) => link('projection', projection.name, 'table', table)),
    ]),
  ];

  // Rows, column by column, each ordered by the mean row of its sources.
  const rowOf = new Map<string, number>();
  const key = (kind: NodeKind, name: string) => `${kind}\u0000${name}`;
  const ordered = COLUMNS.map(({ kind }) => {
    const sourcesRows = (name: string) =>
      links
        .filter((each) => each.toKind === kind && each.to === name)
        .map((each) => rowOf.get(key(each.fromKind, each.from)))
        .filter((row): row is number => row !== undefined);
    const weight = (name: string) => {
      const rows = sourcesRows(name);
      return rows.length === 0 ? Infinity : rows.reduce((sum, row) => sum + row, 0) / rows.length;
    };
    const column = names[kind]
      .map((name, index) => ({ name, index, weight: weight(name) }))
      .sort((a, b) => a.weight - b.weight || a.index - b.index)
      .map((entry) => entry.name);
    column.forEach((name, row) => rowOf.set(key(kind, name), row));
    return { kind, column };
  });

  const tallest = Math.max(1, ...ordered.map(({ column }) => column.length));
  const columnsHeight = tallest * BOX_HEIGHT + (tallest - 1) * ROW_GAP;
  const nodes = new Map<string, LaidNode>();
  const headings: Layout['headings'] = [];
  let x = MARGIN;
  for (const [index, { kind, column }] of ordered.entries()) {
    const heading = COLUMNS[index]!.heading;
    const boxWidth = (name: string) => Math.ceil(textWidth(name) + 2 * BOX_PADDING);
    const width = Math.max(textWidth(heading), ...column.map(boxWidth));
    headings.push({ text: heading, x: Math.round(x + width / 2), y: MARGIN + FONT_SIZE });
    const height = column.length * BOX_HEIGHT + Math.max(0, column.length - 1) * ROW_GAP;
    const top = MARGIN + HEADING_HEIGHT + Math.round((columnsHeight - height) / 2);
    for (const [row, name] of column.entries()) {
      const nodeWidth = boxWidth(name);
      nodes.set(key(kind, name), {
        kind,
        name,
        id: ids.of(kind, name),
        x: Math.round(x + (width - nodeWidth) / 2),
        y: top + row * (BOX_HEIGHT + ROW_GAP),
        width: nodeWidth,
        height: BOX_HEIGHT,
      });
    }
    x += Math.ceil(width) + COLUMN_GAP;
  }
  const edges = links.map((each) => ({
    from: nodes.get(key(each.fromKind, each.from))!,
    to: nodes.get(key(each.toKind, each.to))!,
  }));
  return {
    width: x - COLUMN_GAP + MARGIN,
    height: MARGIN + HEADING_HEIGHT + columnsHeight + MARGIN,
    headings,
    nodes: [...nodes.values()],
    edges,
  };
}
