import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { openStore, translateSqliteError, type Db } from '../store/index.js';
import { resolveContext, type Context } from './context.js';
import { resolveFormat, type Format, type FormatFlags } from './formats.js';
import { Output } from './output.js';

/** The process's streams, passed in so the program can be driven in-process by tests. */
export interface CliStreams {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
}

/** What a command's action works with: its context, its output, and a stderr for notes. */
export interface Run {
  ctx: Context;
  out: Output;
  /** A progress or summary line on stderr; silent with --quiet. */
  note(text: string): void;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
}

export function startRun(command: Command, streams: CliStreams): Run {
  const ctx = resolveContext(command);
  return {
    ctx,
    out: new Output(streams.stdout, ctx.color),
    note: (text) => {
      if (!ctx.quiet) streams.stderr.write(`${text}\n`);
    },
    stderrIsTTY: streams.stderr.isTTY === true,
    stdinIsTTY: streams.stdin.isTTY === true,
  };
}

export function formatOf(run: Run, flags: FormatFlags, allowed: readonly Format[]): Format {
  return resolveFormat(flags, allowed, run.out.isTTY);
}

/** Opens the store for the length of `work`, and closes it however `work` ends. */
export async function withStore<T>(
  ctx: Context,
  options: { create: boolean },
  work: (db: Db) => T | Promise<T>,
): Promise<T> {
  const db = openStore(ctx.dbPath, { create: options.create });
  try {
    return await work(db);
  } catch (error) {
    throw translateSqliteError(error, ctx.dbPath);
  } finally {
    db.close();
  }
}
