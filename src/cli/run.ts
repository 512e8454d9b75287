import type { Command } from 'commander';
import { resolveContext, type Context } from './context.js';
import type { CliIo } from './io.js';
import { resolveFormat, type Format, type FormatFlags } from './output/formats.js';
import { Output } from './output/output.js';
import { printableLines } from './output/printable.js';

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
