import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { type AppContext, type ReadContext } from '../app/context.js';
import {
  judgeQueryWithoutReadModels,
  openReadStore,
  shownLocation,
  type StoreMode,
  withEventStore,
} from '../app/open.js';
import { resolveContext, type Context } from './context.js';
import type { OutStream } from './fd-stream.js';
import { resolveFormat, type Format, type FormatFlags } from './formats.js';
import { Output } from './output.js';
import { printableLines } from './printable.js';

/**
 * Everything the program touches of the process, passed in so that it can be driven in
 * process by tests: streams, environment and working folder.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** What a command's action works with: its context, its output, and a stderr for notes. */
export interface Run {
  io: CliIo;
  ctx: Context;
  out: Output;
  /** A progress or summary line on stderr; silent with --quiet. */
  note(text: string): void;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
}

export function startRun(command: Command, io: CliIo): Run {
  const ctx = resolveContext(command, io.env, io.cwd);
  return {
    io,
    ctx,
    out: new Output(io.stdout, ctx.color),
    note: (text) => {
      if (!ctx.quiet) io.stderr.write(`${printableLines(text)}\n`);
    },
    stderrIsTTY: io.stderr.isTTY === true,
    // Read when asked: process.stdin is made on first use, and making it (a TTY, socket or
    // file stream) is a measurable part of a short command's start-up.
    get stdinIsTTY() {
      return io.stdin.isTTY === true;
    },
  };
}

export function formatOf(run: Run, flags: FormatFlags, allowed: readonly Format[]): Format {
  return resolveFormat(flags, allowed, run.out.isTTY);
}

/**
 * The domain module the flags name, loaded (and checked) when first needed; the loader itself
 * is imported only then, so store-only commands never load it.
 */
export function domainLoader(run: Run) {
  return async () => {
    const { loadDomain } = await import('../app/load-domain.js');
    return loadDomain(run.ctx.domainPath, run.io.cwd, {
      env: run.io.env,
      onWarning: (text) => run.io.stderr.write(`warning: ${text}\n`),
    });
  };
}

export interface Needs {
  store: StoreMode;
  /** Open the read models: `write` creates them, `read` only looks (none yet: undefined). */
  read?: 'write' | 'read';
  signal?: AbortSignal;
}

/** Opens what a use case needs for the length of `work`, and closes it however `work` ends. */
export async function withApp<T>(
  run: Run,
  needs: Needs,
  work: (app: AppContext) => Promise<T>,
): Promise<T> {
  return withEventStore(run.ctx.locations, needs.store, async (store) => {
    const read = needs.read && (await openReadStore(run.ctx.locations, needs.read));
    try {
      return await work({
        store,
        read: read || undefined,
        readLocation: shownLocation(run.ctx.locations.readDb),
        domain: domainLoader(run),
        ...(run.ctx.clock && { clock: run.ctx.clock }),
        signal: needs.signal,
      });
    } finally {
      if (read) await read.close();
    }
  });
}

/** The read models alone, read-only, for `query` and `tables`: the store is not opened. */
export async function withReadModels<T>(
  run: Run,
  work: (app: ReadContext) => Promise<T>,
): Promise<T> {
  const read = await openReadStore(run.ctx.locations, 'read');
  try {
    return await work({
      read,
      readLocation: shownLocation(run.ctx.locations.readDb),
      judgeQuery: (sql, params) => judgeQueryWithoutReadModels(run.ctx.locations, sql, params),
    });
  } finally {
    await read?.close();
  }
}
