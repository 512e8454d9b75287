import type { Command } from 'commander';
import { domainFlow, type DomainFlow } from '../../app/diagram.js';
import { type CliIo, startRun, withApp } from '../io.js';

interface DiagramFlags {
  log: boolean;
}

export function registerDiagram(program: Command, io: CliIo): void {
  program
    .command('diagram')
    .description(
      'print a Mermaid flowchart of commands → events → projections → tables, from the domain module and the log',
    )
    .option('--no-log', 'from the domain module alone: no command → event arrows')
    .action(async (flags: DiagramFlags, command: Command) => {
      const run = startRun(command, io);
      // `peek`: drawing never creates a store; without one the log is simply empty.
      const flow = await withApp(run, { store: 'peek' }, (app) =>
        domainFlow(app, { readLog: flags.log }),
      );
      await run.out.write(renderMermaid(flow));
      await run.out.flush();
    });
}

/** A Mermaid id: the kind's letter and the name with anything but letters and digits as `_`. */
const nodeId = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const label = (name: string) => `"${name.replace(/"/g, '#quot;')}"`;

/** The flow as a Mermaid flowchart, left to right, one subgraph per kind of node. */
export function renderMermaid(flow: DomainFlow): string {
  const tables = [...new Set(flow.projections.flatMap((projection) => projection.tables))];
  const lines = ['flowchart LR'];
  const group = (title: string, nodes: string[]) => {
    if (nodes.length === 0) return;
    lines.push(`  subgraph ${title}`, ...nodes.map((node) => `    ${node}`), '  end');
  };
  group(
    'commands',
    flow.commands.map((name) => `${nodeId('c', name)}[${label(name)}]`),
  );
  group(
    'events',
    flow.events.map((name) => `${nodeId('e', name)}([${label(name)}])`),
  );
  group(
    'projections',
    flow.projections.map(({ name }) => `${nodeId('p', name)}[[${label(name)}]]`),
  );
  group(
    'tables',
    tables.map((name) => `${nodeId('t', name)}[(${label(name)})]`),
  );
  for (const { command, event } of flow.decided) {
    lines.push(`  ${nodeId('c', command)} --> ${nodeId('e', event)}`);
  }
  for (const projection of flow.projections) {
    for (const event of projection.handles) {
      lines.push(`  ${nodeId('e', event)} --> ${nodeId('p', projection.name)}`);
    }
    for (const table of projection.tables) {
      lines.push(`  ${nodeId('p', projection.name)} --> ${nodeId('t', table)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
