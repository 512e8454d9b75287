import { createInterface } from 'node:readline';
import type { AppContext } from '../../app/context.js';
import type { ReplayStep } from '../../app/replay.js';
import {
  catchUpReadModels,
  changedRows,
  readModelRows,
  stateOfStream,
  streamOfLine,
  type ReadModelRows,
} from '../../app/replay-step.js';
import { InputError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import type { Run } from '../run.js';
import { printable, printableLines } from '../output/printable.js';
import { renderEventLine } from '../output/render.js';

// `replay --step`: one line at a time, for a class. Before a line: the line and the state of
// the stream it touches; then it waits for Enter (q stops); after: the events appended, the
// state after, and the read-model rows the line changed (the projections are caught up after
// every line, so the read side moves with the story).

/** Answers from stdin, one line per step: Enter runs the next line, q stops. */
export interface EnterReader {
  /** True to run the line, false to stop (q, or stdin ended). */
  wait(where: string): Promise<boolean>;
  close(): void;
}

/**
 * Reads stdin a line at a time. When stdin is not a terminal, its first line is read at once:
 * if there is none, waiting would hang a CI job or wait on nothing, so the replay is refused
 * before the store is touched.
 */
export async function openEnterReader(io: CliIo, run: Run): Promise<EnterReader> {
  const reader = createInterface({ input: io.stdin, terminal: false });
  const lines = reader[Symbol.asyncIterator]();
  let early: IteratorResult<string> | undefined;
  if (!run.stdinIsTTY) {
    early = await lines.next();
    if (early.done) {
      reader.close();
      throw new InputError(
        'replay --step waits for Enter before each line, but stdin is not a terminal and gave no input; ' +
          'run it in a terminal, or pipe in one line per step (yes "" | eventlite replay FILE --step)',
      );
    }
  }
  return {
    async wait(where) {
      if (run.stdinIsTTY) io.stderr.write(`Enter runs ${where}, q stops: `);
      const answer = early ?? (await lines.next());
      early = undefined;
      if (answer.done) {
        run.note(`stdin ended: stopped before ${where}`);
        return false;
      }
      if (answer.value.trim().toLowerCase() !== 'q') return true;
      run.note(`stopped before ${where}`);
      return false;
    },
    close: () => reader.close(),
  };
}

const LABEL = 14;
const labelled = (label: string, text: string) => `${label.padEnd(LABEL)}${text}`;

/** Shows a line before it runs and what it did after; the hooks `replay` calls around it. */
export class Stepper {
  /** The line `q` (or the end of stdin) stopped before, if one did. */
  stoppedBefore: number | undefined;
  private stream: string | undefined;
  private rowsBefore: ReadModelRows = new Map();

  constructor(
    private readonly app: AppContext,
    private readonly run: Run,
    private readonly enter: EnterReader,
  ) {}

  readonly before = async (line: {
    where: string;
    number: number;
    text: string;
  }): Promise<boolean> => {
    const { out } = this.run;
    await out.line(out.style.bold(printable(`── ${line.where}  ${line.text}`)));
    this.stream = await streamOfLine(this.app, line.text);
    await this.showState('state before');
    // Caught up first, so that the changes shown after are this line's alone.
    await catchUpReadModels(this.app);
    this.rowsBefore = await readModelRows(this.app);
    await out.flush();
    const goOn = await this.enter.wait(line.where);
    if (!goOn) this.stoppedBefore = line.number;
    return goOn;
  };

  readonly after = async (step: ReplayStep): Promise<void> => {
    const { out } = this.run;
    if (step.kind === 'failed') {
      const message = printableLines(step.error.message);
      await out.line(labelled(step.rejected ? 'rejected' : 'failed', message));
    } else if (step.events.length === 0) {
      await out.line(labelled('events', 'none appended'));
    } else {
      for (const [index, event] of step.events.entries()) {
        await out.line(
          labelled(index === 0 ? 'events' : '', renderEventLine(event, out.style).trimStart()),
        );
      }
    }
    await this.showState('state after');
    await catchUpReadModels(this.app);
    const changes = changedRows(this.rowsBefore, await readModelRows(this.app));
    if (changes.length === 0) await out.line(labelled('read models', 'no rows changed'));
    for (const [index, change] of changes.entries()) {
      const text = printable(`${change.change} ${change.table} ${change.row}`);
      await out.line(labelled(index === 0 ? 'read models' : '', text));
    }
    await out.line('');
    await out.flush();
  };

  private async showState(label: string): Promise<void> {
    if (this.stream === undefined) return;
    const view = await stateOfStream(this.app, this.stream);
    if (!view) return;
    await this.run.out.line(
      labelled(
        label,
        printable(`${view.stream} at version ${view.version}: ${JSON.stringify(view.state)}`),
      ),
    );
  }
}
