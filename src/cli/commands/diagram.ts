import { Option, type Command } from 'commander';
import { domainFlow } from '../../app/diagram.js';
import { renderMermaid } from '../diagram-mermaid.js';
import { renderHtml, renderSvg } from '../diagram-svg.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { withApp } from '../with-app.js';

const DIAGRAM_FORMATS = ['mermaid', 'markdown', 'svg', 'html'] as const;
type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

interface DiagramFlags {
  log: boolean;
  format: DiagramFormat;
}

export function registerDiagram(program: Command, io: CliIo): void {
  program
    .command('diagram')
    .description(
      'draw the domain as commands → events → projections → tables, from the domain module and the log: Mermaid text, or a picture (svg, html)',
    )
    .option('--no-log', 'from the domain module alone: no command → event arrows')
    .addOption(
      new Option(
        '--format <format>',
        'mermaid (a flowchart), markdown (it in a fenced block), svg (a picture drawn here, no network) or html (a page with the picture)',
      )
        .choices(DIAGRAM_FORMATS)
        .default('mermaid'),
    )
    .action(async (flags: DiagramFlags, command: Command) => {
      const run = startRun(command, io);
      // `peek`: drawing never creates a store; without one the log is simply empty.
      const flow = await withApp(run, { store: 'peek' }, (app) =>
        domainFlow(app, { readLog: flags.log }),
      );
      const title = `${run.ctx.domainPath ?? 'the domain'}: commands → events → projections → tables`;
      const mermaid = () => renderMermaid(flow);
      const text: Record<DiagramFormat, () => string> = {
        mermaid,
        markdown: () => `\`\`\`mermaid\n${mermaid()}\`\`\`\n`,
        svg: () => renderSvg(flow, title),
        html: () => renderHtml(flow, title),
      };
      await run.out.write(text[flags.format]());
      await run.out.flush();
    });
}
