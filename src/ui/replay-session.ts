import type { AppContext } from '../app/context.js';
import type { Line } from '../app/lines.js';
import { replayLines } from '../app/replay.js';
import {
  catchUpReadModels,
  changedRows,
  readModelRows,
  stateOfStream,
  streamOfLine,
  type ReadModelRows,
  type RowChange,
  type StreamStateView,
} from '../app/replay-step.js';
import { InputError } from '../core/errors.js';
import { eventObject } from './api.js';
import type { LiveLog } from './live.js';

// `eventlite ui --replay FILE`: the scenario's lines, run one at a time when the page says
// Next, as `replay --step` runs them on Enter: the state of the line's stream before and after,
// the events appended (or why the line failed), and the read-model rows it changed. A failed
// line (a rejection, say) is shown and the next one waits: the teacher decides when to stop.

export interface StepView {
  number: number;
  text: string;
  before?: StreamStateView;
  after?: StreamStateView;
  events: unknown[];
  failure?: { message: string; rejected: boolean };
  changes: RowChange[];
}

export interface ReplayState {
  source: string;
  lines: Line[];
  /** The number of the line Next runs; null when none is left. */
  next: number | null;
  steps: StepView[];
}

export class ReplaySession {
  private readonly steps: StepView[] = [];
  private waiting: { line: Line; go: (run: boolean) => void } | undefined;
  private current: StepView | undefined;
  private rowsBefore: ReadModelRows = new Map();
  private running = false;
  private ready: Promise<void>;
  private readyNow: () => void = () => {};
  private stepped: { resolve(step: StepView): void; reject(error: unknown): void } | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly live: LiveLog,
    private readonly source: string,
    private readonly lines: readonly Line[],
    /** Catch the projections up around each line (not under --no-projections). */
    private readonly catchUp: boolean,
    private readonly onError: (error: unknown) => void,
  ) {
    this.ready = this.nextReady();
    void this.run();
  }

  state(): ReplayState {
    return {
      source: this.source,
      lines: [...this.lines],
      next: this.waiting?.line.number ?? null,
      steps: [...this.steps],
    };
  }

  /** Runs the waiting line and answers with what it did; refused while one runs or when none is left. */
  async next(): Promise<StepView> {
    if (this.running) throw new InputError('a line is running; wait for it to finish');
    await this.ready;
    if (!this.waiting) throw new InputError(`the scenario ${this.source} has no line left to run`);
    this.running = true;
    try {
      const result = new Promise<StepView>(
        (resolve, reject) => (this.stepped = { resolve, reject }),
      );
      const { go } = this.waiting;
      this.waiting = undefined;
      this.ready = this.nextReady();
      go(true);
      const step = await result;
      // Answered once the next line waits (or none is left), so that the state the page asks
      // for next already names it.
      await this.ready;
      return step;
    } finally {
      this.running = false;
    }
  }

  private nextReady(): Promise<void> {
    return new Promise((resolve) => (this.readyNow = resolve));
  }

  private async run(): Promise<void> {
    const lines = (async function* (all: readonly Line[]) {
      yield* all;
    })(this.lines);
    try {
      const steps = replayLines(this.ctx, lines, {
        source: this.source,
        keepGoing: true,
        beforeLine: (line) => this.before(line),
      });
      for await (const step of steps) {
        const view = this.current!;
        if (step.kind === 'applied') view.events = step.events.map(eventObject);
        else view.failure = { message: step.error.message, rejected: step.rejected };
        view.after = await this.stateOf(view.text);
        view.changes = await this.live.exclusive(async () => {
          if (this.catchUp) await catchUpReadModels(this.ctx);
          return changedRows(this.rowsBefore, await readModelRows(this.ctx));
        });
        this.steps.push(view);
        this.stepped?.resolve(view);
        this.stepped = undefined;
      }
    } catch (error) {
      if (this.stepped) this.stepped.reject(error);
      else this.onError(error);
    } finally {
      // No line is left: a Next waiting for one is answered that none is.
      this.readyNow();
    }
  }

  private async before(where: { where: string; text: string }): Promise<boolean> {
    const number = Number(where.where.slice(where.where.lastIndexOf(':') + 1));
    const line = this.lines.find((candidate) => candidate.number === number)!;
    this.current = { number, text: line.text, events: [], changes: [] };
    this.current.before = await this.stateOf(line.text);
    // Caught up first, so that the changes shown after are this line's alone.
    this.rowsBefore = await this.live.exclusive(async () => {
      if (this.catchUp) await catchUpReadModels(this.ctx);
      return readModelRows(this.ctx);
    });
    return new Promise<boolean>((go) => {
      this.waiting = { line, go };
      this.readyNow();
    });
  }

  private async stateOf(text: string): Promise<StreamStateView | undefined> {
    const stream = await streamOfLine(this.ctx, text);
    return stream === undefined ? undefined : stateOfStream(this.ctx, stream);
  }
}
