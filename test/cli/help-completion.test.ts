import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { helpRequest } from '../../src/cli/saved-help.js';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// Help that teaches and completion that cannot go stale: the top-level help lists every
// command, nested ones included; each command's help ends with examples; `completion` prints
// a script for bash, zsh and fish made from the program itself.

function allCommands(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return [name, ...allCommands(sub, `${name} `)];
  });
}

const quiet = {
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
  env: {},
  cwd: '/',
};
const program = await buildProgram(quiet);
const commands = allCommands(program);
const folder = tempDir();
afterAll(() => folder.cleanup());
const cli = (args: string[]) => runInProcess(args, { cwd: folder.dir });

describe('eventlite --help', () => {
  it('lists every command, nested ones by their full name, in one list', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    const listed = result.stdout
      .slice(result.stdout.indexOf('\nCommands:\n'), result.stdout.indexOf('\nExit codes:'))
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map(
        (line) =>
          line
            .trim()
            .split(/\s+\[|\s+</)[0]!
            .split(/\s{2,}/)[0]!,
      );
    expect(listed).toEqual([...commands, 'help']);
    expect(commands).toEqual(expect.arrayContaining(['projections run', 'projections wait']));
    expect(result.stdout).toContain(
      '\n  projections wait [options] [names...]     return once the projections (default: all) reach the head as it was when the command started (and, with --query-db, once that replica has replayed them)\n',
    );
  });

  it("a command's own help still lists its subcommands by their short names", async () => {
    const result = await cli(['projections', '--help']);
    expect(result.stdout).toMatch(/\nCommands:\n {2}run \[options\] \[names\.\.\.\] /);
  });

  it.each(commands)('eventlite %s --help ends with two or three examples of it', async (name) => {
    const result = await cli([...name.split(' '), '--help']);
    expect(result.code).toBe(0);
    const examples = result.stdout.slice(result.stdout.lastIndexOf('\nExamples:\n'));
    expect(examples).toMatch(/^\nExamples:\n( {2}\$ eventlite .+\n){2,3}$/);
    for (const line of examples.split('\n').slice(2, -1)) {
      expect(line.startsWith(`  $ eventlite ${name}`) || line.includes(` ${name} `)).toBe(true);
    }
  });

  it('state --help ends exactly so', async () => {
    const result = await cli(['state', '--help']);
    expect(
      result.stdout.endsWith(
        '\nExamples:\n  $ eventlite state account-acc-1\n  $ eventlite state account-acc-1 --at 2\n',
      ),
    ).toBe(true);
  });
});

describe('help saved at build time', () => {
  it('takes only command words then --help or -h', () => {
    expect(helpRequest(['--help'])).toBe('');
    expect(helpRequest(['projections', 'run', '-h'])).toBe('projections run');
    expect(helpRequest(['--db', 'x.db', '--help'])).toBeUndefined();
    expect(helpRequest(['exec', '--help', 'Deposit'])).toBeUndefined();
    expect(helpRequest(['exec'])).toBeUndefined();
  });

  it('the built binary, printing to a pipe, says what the program says for every command', async () => {
    const saved = JSON.parse(readFileSync(join(ROOT, 'dist/help-texts.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(saved).sort()).toEqual(['', ...commands].sort());
    for (const path of ['', ...commands]) {
      const words = path === '' ? [] : path.split(' ');
      const fromProgram = await cli([...words, '--help']);
      expect(fromProgram.code).toBe(0);
      expect(saved[path]).toBe(fromProgram.stdout);
    }
    // And the binary prints them: the first, a nested one, and -h.
    for (const args of [['--help'], ['projections', 'run', '--help'], ['exec', '-h']]) {
      const printed = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      expect(printed.status).toBe(0);
      expect(printed.stdout).toBe((await cli(args)).stdout);
    }
  });
});

describe('eventlite with no command', () => {
  const spawned = (args: readonly string[]) => {
    const run = spawnSync(process.execPath, [BIN, ...args], { cwd: folder.dir, encoding: 'utf8' });
    return { args, status: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it('prints the help on stdout with exit 0, as --help does (and as gh does)', () => {
    const help = spawned(['--help']);
    expect(help.stdout).toMatch(/^Usage: eventlite \[options\] \[command\]\n/);
    for (const args of [[], ['--quiet'], ['--db', 'x.db'], ['help']]) {
      expect(spawned(args)).toEqual({ args, status: 0, stdout: help.stdout, stderr: '' });
    }
    expect(existsSync(join(folder.dir, 'x.db'))).toBe(false);
  });

  it('an unknown flag, or help for a command there is not, stays a usage error', () => {
    expect(spawned(['--bogus'])).toEqual({
      args: ['--bogus'],
      status: 2,
      stdout: '',
      stderr: "error: unknown option '--bogus'\n",
    });
    expect(spawned(['help', 'nope'])).toEqual({
      args: ['help', 'nope'],
      status: 2,
      stdout: '',
      stderr: "error: unknown command 'nope'\n",
    });
  });
});

describe('help into a pipe whose reader has gone', () => {
  it('stops quietly with exit 0, saved or built, like any output', async () => {
    for (const args of [['--help'], ['--db', 'x.db', '--help'], ['exec', '--help']]) {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: folder.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // Closed long before Node has started in the child, so its first write meets EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });
});

describe('eventlite completion', () => {
  const script = async (shell: string) => {
    const result = await cli(['completion', shell]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    return result.stdout;
  };

  it.each(['bash', 'zsh', 'fish'])('the %s script names every command and flag', async (shell) => {
    const text = await script(shell);
    const words = new Set(text.split(/[^\w-]+/));
    for (const name of commands) {
      for (const word of name.split(' ')) expect(words, `${shell}: ${name}`).toContain(word);
    }
    const flags = (command: Command): string[] => [
      ...command.options.flatMap((option) => (option.long ? [option.long] : [])),
      ...command.commands.flatMap(flags),
    ];
    for (const flag of flags(program)) {
      const spelled = shell === 'fish' ? `-l ${flag.slice(2)}` : flag;
      expect(text, `${shell}: ${flag}`).toContain(spelled);
    }
  });

  it('the bash script parses, and completes commands, nested commands and flag values', async () => {
    const text = await script('bash');
    expect(spawnSync('bash', ['-n'], { input: text }).status).toBe(0);
    const probe = `${text}
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMPREPLY=(); _eventlite; echo "\${COMPREPLY[*]}"; }
t eventlite pro
t eventlite --db x.db projections r
t eventlite query --format ""
t eventlite completion ""
t eventlite --clock ""
`;
    const run = spawnSync('bash', ['-c', probe], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout.split('\n').slice(0, 5)).toEqual([
      'projections',
      'run rebuild retry',
      'table json ndjson csv tsv markdown',
      'bash zsh fish',
      '',
    ]);
  });

  it('the bash script offers flags once the word starts with -, or when nothing else fits', async () => {
    const probe = `${await script('bash')}
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMPREPLY=(); _eventlite; echo "\${COMPREPLY[*]}"; }
t eventlite completion -
t eventlite verify ""
`;
    const run = spawnSync('bash', ['-c', probe], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const globals =
      '--version --db --read-db --domain --query-role --query-db --clock --no-color --quiet --debug';
    expect(run.stdout.split('\n')).toEqual([
      `--help ${globals}`,
      `--format --json --help ${globals}`,
      '',
    ]);
  });

  it('refuses a shell it does not know, exit 2', async () => {
    const result = await cli(['completion', 'powershell']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      "error: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.\n",
    ]);
  });
});
