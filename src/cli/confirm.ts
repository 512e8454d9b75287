import { createRequire } from 'node:module';
import { InputError } from '../core/errors.js';
import type { Run } from './run.js';
import { printableLines } from './output/printable.js';

/**
 * Asks before something that cannot be undone. `--yes` answers for a script; without it a
 * terminal is asked (on stderr, so stdout stays data) and anything but "y" or "yes" stops;
 * with no terminal to ask, the command is refused. Either way nothing has changed yet.
 */
export async function confirm(run: Run, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!run.stdinIsTTY) {
    throw new InputError(`${question}: give --yes to confirm (stdin is not a terminal to ask on)`);
  }
  // Required here, not imported at the top: `streams` loads this module and starts without
  // readline (scripts/startup/README.md, rule 2).
  const { createInterface } = createRequire(import.meta.url)(
    'node:readline',
  ) as typeof import('node:readline');
  const lines = createInterface({ input: run.io.stdin, terminal: false });
  try {
    // The question may quote what was typed (a --field path): escaped as every note is.
    run.io.stderr.write(`${printableLines(question)}. Go on? [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(''));
    });
    if (!/^(y|yes)$/i.test(answer.trim())) throw new InputError('not confirmed; nothing changed');
  } finally {
    lines.close();
  }
}
