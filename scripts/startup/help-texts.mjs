// Writes dist/help-texts.json: every command's `--help` text as it is printed to a pipe or a
// file, keyed by the command's path ("" for the program, "projections run"). Building the
// program to lay out one help text loads commander and every command's module, more than
// Node itself takes to start; `eventlite [COMMAND...] --help` into a pipe then prints the saved
// text instead (src/cli/saved-help.ts). On a terminal the help is laid out for its width, so
// commander still does it there. Run by `npm run build`, after tsc.
import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { buildProgram } from '../../dist/cli/program.js';
import { allCommands, commandPath } from '../../dist/cli/help.js';

// Not a terminal, as a pipe is not: commander lays help out at its default width.
let text = '';
const stdout = { isTTY: false, write: (chunk) => (text += chunk) };
const io = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/' };

const program = await buildProgram(io);
const texts = {};
for (const listed of [program, ...allCommands(program)]) {
  const path = commandPath(listed);
  // Laid out by the program the CLI builds for that command line, which may differ from the
  // whole program's (a command with a --version of its own has no program -V).
  const words = path === '' ? [] : path.split(' ');
  const built = await buildProgram(io, words);
  const command = [built, ...allCommands(built)].find((each) => commandPath(each) === path);
  text = '';
  command.outputHelp();
  texts[path] = text;
}
writeFileSync(new URL('../../dist/help-texts.json', import.meta.url), `${JSON.stringify(texts)}\n`);
