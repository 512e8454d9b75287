import type { DomainFlow } from '../app/diagram.js';

export type NodeKind = 'command' | 'event' | 'projection' | 'table';

/** The tables the projections make, each once, in the order first named. */
export function tablesOf(flow: DomainFlow): string[] {
  return [...new Set(flow.projections.flatMap((projection) => projection.tables))];
}

/**
 * An id for each node, unique across the diagram: the kind's letter and the name with anything
 * but ASCII letters and digits as `_`, and a number after it when two names would otherwise
 * meet (`Money.Deposited` and `Money Deposited` are two events, so two nodes).
 */
export class NodeIds {
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();

  of(kind: NodeKind, name: string): string {
    const key = `${kind}\u0000${name}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const base = `${kind[0]}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
    let id = base;
    for (let next = 2; this.taken.has(id); next += 1) id = `${base}_${next}`;
    this.ids.set(key, id);
    this.taken.add(id);
    return id;
  }
}

/**
 * Every node of the flow by kind, each name once, in the order the diagram lists them: the
 * domain's commands and then any other the log has seen deciding, and so on.
 */
export function nodesOf(flow: DomainFlow): Record<NodeKind, string[]> {
  return {
    command: [...new Set([...flow.commands, ...flow.decided.map((edge) => edge.command)])],
    event: [...new Set([...flow.events, ...flow.decided.map((edge) => edge.event)])],
    projection: flow.projections.map((projection) => projection.name),
    table: tablesOf(flow),
  };
}

/** The ids of every node, given in the order nodesOf lists them: the same in every format. */
export function nodeIdsOf(flow: DomainFlow): NodeIds {
  const ids = new NodeIds();
  for (const [kind, names] of Object.entries(nodesOf(flow)) as [NodeKind, string[]][]) {
    for (const name of names) ids.of(kind, name);
  }
  return ids;
}

const label = (name: string) => `"${name.replace(/"/g, '#quot;')}"`;

/** The flow as a Mermaid flowchart, left to right, one subgraph per kind of node. */
export function renderMermaid(flow: DomainFlow): string {
  const ids = nodeIdsOf(flow);
  const lines = ['flowchart LR'];
  const group = (title: string, nodes: string[]) => {
    if (nodes.length === 0) return;
    lines.push(`  subgraph ${title}`, ...nodes.map((node) => `    ${node}`), '  end');
  };
  group(
    'commands',
    flow.commands.map((name) => `${ids.of('command', name)}[${label(name)}]`),
  );
  group(
    'events',
    flow.events.map((name) => `${ids.of('event', name)}([${label(name)}])`),
  );
  group(
    'projections',
    flow.projections.map(({ name }) => `${ids.of('projection', name)}[[${label(name)}]]`),
  );
  group(
    'tables',
    tablesOf(flow).map((name) => `${ids.of('table', name)}[(${label(name)})]`),
  );
  for (const { command, event } of flow.decided) {
    lines.push(`  ${ids.of('command', command)} --> ${ids.of('event', event)}`);
  }
  for (const projection of flow.projections) {
    for (const event of projection.handles) {
      lines.push(`  ${ids.of('event', event)} --> ${ids.of('projection', projection.name)}`);
    }
    for (const table of projection.tables) {
      lines.push(`  ${ids.of('projection', projection.name)} --> ${ids.of('table', table)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
