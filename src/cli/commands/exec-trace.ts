import type { RecordedEvent } from '../../core/events.js';
import type { ExecStep, SnapshotOutcome } from '../../app/exec.js';
import type { FoldBase } from '../../app/load-state.js';
import type { OutStream } from '../output/fd-stream.js';
import { printable } from '../output/printable.js';
import { styleFor } from '../output/style.js';

// `exec --trace`: the teaching view of one command, step by step, on stderr so that stdout
// still holds only the appended events.

const SHOWN_EVENTS = 20;

export function traceTo(stderr: OutStream, color: boolean) {
  const style = styleFor(stderr, color);
  const heading = (text: string) => style.bold(text);
  // Each line's data (names, JSON, a message) escaped; the headings keep their style.
  const write = (lines: string[]) => stderr.write(`${lines.join('\n')}\n`);
  return (step: ExecStep): void => {
    switch (step.kind) {
      case 'read':
        write([
          `${heading('read')}    ${printable(step.stream)}: ${count(step.events.length)}${after(step.base)}, version ${step.version}`,
          ...eventLines(step.events),
        ]);
        break;
      case 'kept':
        write([
          `${heading('read')}    ${step.stream}: nothing, the state kept at version ${step.version} (the append checks the version)`,
        ]);
        break;
      case 'recheck':
        write([`${heading('recheck')} ${step.stream}: ${RECHECKS[step.reason]}; reading it`]);
        break;
      case 'state':
        write([`${heading('fold')}    → state ${json(step.state)}`]);
        break;
      case 'deciding':
        write([`${heading('decide')}  ${printable(step.command.type)} ${json(step.command.data)}`]);
        break;
      case 'decided':
        write(
          step.events.length === 0
            ? ['        → no events']
            : step.events.map((event) => `        → ${printable(event.type)} ${json(event.data)}`),
        );
        break;
      case 'conflict':
        write([
          style.yellow(
            `conflict ${printable(step.error.message)}; reading again (attempt ${step.attempt + 1} of ${step.maxAttempts})`,
          ),
        ]);
        break;
      case 'appended': {
        const last = step.result.events.at(-1);
        const where = last ? `, last at position ${last.position}` : '';
        write([
          `${heading('append')}  ${printable(step.result.stream)} expecting version ${step.expectedVersion}` +
            ` → version ${step.result.version}${where}`,
        ]);
        break;
      }
      case 'snapshot':
        write([`${heading('snapshot')} ${snapshotLine(step.stream, step.version, step.outcome)}`]);
        break;
      case 'dry-run':
        write([
          `${heading('append')}  skipped (dry run); would expect version ${step.expectedVersion}`,
        ]);
        break;
    }
  };
}

const RECHECKS: Record<Extract<ExecStep, { kind: 'recheck' }>['reason'], string> = {
  failed: 'the kept state may be behind the stream',
  'no events': 'the kept state may be behind the stream',
  'moved on': 'the stream moved on since the kept state',
};

function after(base: FoldBase): string {
  if (base.source === 'snapshot') return ` after the snapshot at version ${base.version}`;
  if (base.source === 'memory') return ` after the state kept at version ${base.version}`;
  return '';
}

function snapshotLine(stream: string, version: number, outcome: SnapshotOutcome): string {
  if (outcome.stored) return `${stream} at version ${version} stored`;
  if (outcome.reason === 'not-json') {
    return `${stream} at version ${version} not taken: the state does not read back the same from JSON`;
  }
  return `${stream} at version ${version} not stored: ${printable(outcome.error.message)}`;
}

function eventLines(events: readonly RecordedEvent[]): string[] {
  const shown = events.slice(-SHOWN_EVENTS);
  const skipped = events.length - shown.length;
  return [
    ...(skipped > 0 ? [`        … ${count(skipped)} before these`] : []),
    ...shown.map(
      (event) => `        ${event.version} ${printable(event.type)} ${json(event.data)}`,
    ),
  ];
}

/** A value as one line of JSON with every control character escaped. */
function json(value: unknown): string {
  return printable(JSON.stringify(value) ?? 'undefined');
}

function count(n: number): string {
  return n === 1 ? '1 event' : `${n} events`;
}
