import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';
import { ROOT } from '../helpers/cli.js';

// The reference cannot drift: every command the program has is described and in the README.

function allCommands(command: Command, prefix = ''): { name: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return [{ name, command: sub }, ...allCommands(sub, `${name} `)];
  });
}

const streams = {
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
  env: {},
  cwd: ROOT,
};
const commands = allCommands(await buildProgram(streams));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the command reference', () => {
  it('finds the commands of the contract', () => {
    const names = commands.map((entry) => entry.name);
    for (const name of [
      'init',
      'append',
      'streams',
      'read',
      'log',
      'export',
      'import',
      'status',
      'verify',
    ]) {
      expect(names).toContain(name);
    }
  });

  it.each(commands.map((entry) => [entry.name, entry.command] as const))(
    '%s has a description and a place in the README',
    (name, command) => {
      expect(command.description().length).toBeGreaterThan(10);
      expect(readme).toContain(`eventlite ${name}`);
    },
  );

  it('documents every exit code of the contract in the README and in --help', async () => {
    const out = new PassThrough();
    let help = '';
    out.on('data', (chunk: Buffer) => (help += chunk.toString()));
    const code = await runCli(['--help'], { ...streams, stdout: out });
    expect(code).toBe(0);
    for (const exit of ['0', '1', '2', '3', '4', '5', '6', '130']) {
      expect(readme).toMatch(new RegExp(`\\|\\s*${exit}\\s*\\|`));
      expect(help).toMatch(new RegExp(`^  ${exit} +\\S`, 'm'));
    }
  });
});
