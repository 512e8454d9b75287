import type { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import type { RecordedEvent } from '../../core/events.js';
import type { ExecStep } from '../../app/exec.js';

// `exec --trace`: the teaching view of one command, step by step, on stderr so that stdout
// still holds only the appended events.

const SHOWN_EVENTS = 20;

export function traceTo(stderr: Writable & { isTTY?: boolean }, color: boolean) {
  const style = new Chalk({ level: color && stderr.isTTY === true ? 1 : 0 });
  const heading = (text: string) => style.bold(text);
  const write = (lines: string[]) => stderr.write(`${lines.join('\n')}\n`);
  return (step: ExecStep): void => {
    switch (step.kind) {
      case 'read':
        write([
          `${heading('read')}    ${step.stream}: ${count(step.events.length)}, version ${step.version}`,
          ...eventLines(step.events),
        ]);
        break;
      case 'state':
        write([`${heading('fold')}    → state ${JSON.stringify(step.state)}`]);
        break;
      case 'deciding':
        write([`${heading('decide')}  ${step.command.type} ${JSON.stringify(step.command.data)}`]);
        break;
      case 'decided':
        write(
          step.events.length === 0
            ? ['        → no events']
            : step.events.map((event) => `        → ${event.type} ${JSON.stringify(event.data)}`),
        );
        break;
      case 'conflict':
        write([
          style.yellow(
            `conflict ${step.error.message}; reading again (attempt ${step.attempt + 1} of ${step.maxAttempts})`,
          ),
        ]);
        break;
      case 'appended': {
        const last = step.result.events.at(-1);
        const where = last ? `, last at position ${last.position}` : '';
        write([
          `${heading('append')}  ${step.result.stream} expecting version ${step.expectedVersion}` +
            ` → version ${step.result.version}${where}`,
        ]);
        break;
      }
      case 'dry-run':
        write([
          `${heading('append')}  skipped (dry run); would expect version ${step.expectedVersion}`,
        ]);
        break;
    }
  };
}

function eventLines(events: readonly RecordedEvent[]): string[] {
  const shown = events.slice(-SHOWN_EVENTS);
  const skipped = events.length - shown.length;
  return [
    ...(skipped > 0 ? [`        … ${count(skipped)} before these`] : []),
    ...shown.map((event) => `        ${event.version} ${event.type} ${JSON.stringify(event.data)}`),
  ];
}

function count(n: number): string {
  return n === 1 ? '1 event' : `${n} events`;
}
