import { PassThrough, Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { PLAIN, styleFor } from '../../src/cli/output/style.js';
import { cliEnv } from '../helpers/cli.js';

// Colour is for terminals only, and chalk is loaded only when a stream is one (see
// src/cli/output/style.ts): these check both sides of that.
describe('styles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eventlite-style-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[], tty: boolean, env: Record<string, string> = {}) => {
    let stdout = '';
    const out = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
    out.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await runCli(['--db', join(dir, 'store.db'), ...args], {
      stdout: out,
      stderr: new PassThrough(),
      stdin: Readable.from([]),
      env: cliEnv(env),
      cwd: dir,
    });
    return { code, stdout };
  };

  it('a terminal gets colour, a pipe and --no-color get none', async () => {
    expect((await run(['append', 'a', 'T', '{}'], false)).code).toBe(0);
    const terminal = await run(['verify'], true);
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toContain('\u001b[32mok\u001b[39m');
    const pipe = await run(['verify', '--format', 'table'], false);
    expect(pipe.stdout).toContain(' ok ');
    expect(pipe.stdout).not.toContain('\u001b[');
    const noColor = await run(['--no-color', 'verify'], true);
    expect(noColor.stdout).not.toContain('\u001b[');
  });

  it('styles are plain text wherever colour is not shown', () => {
    expect(styleFor({ isTTY: false }, true)).toBe(PLAIN);
    expect(styleFor({ isTTY: true }, false)).toBe(PLAIN);
    expect(PLAIN.bold('x') + PLAIN.dim('y') + PLAIN.red('z')).toBe('xyz');
  });
});
