import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';
import { ROOT } from '../helpers/cli.js';

// The reference cannot drift: every command the program has is described, has its generated
// section in docs/cli.md and a place in the hand-written docs, docs/cli.md is exactly what
// scripts/cli-docs.mjs makes of the program today, and no relative link in the docs is dead.

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

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const docsPages = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const cliReference = read('docs/cli.md');
/** Everything a person wrote: the README and every docs page but the generated reference. */
const handWritten = ['README.md', ...docsPages.filter((page) => page !== 'docs/cli.md')]
  .map(read)
  .join('\n');

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
      'projections run',
      'projections wait',
      'projections rebuild',
    ]) {
      expect(names).toContain(name);
    }
  });

  it.each(commands.map((entry) => [entry.name, entry.command] as const))(
    '%s has a description, a section in docs/cli.md and a place in the docs',
    (name, command) => {
      expect(command.description().length).toBeGreaterThan(10);
      expect(cliReference).toContain(`\n## eventlite ${name}\n`);
      expect(handWritten).toContain(`eventlite ${name}`);
    },
  );

  it('docs/cli.md is what scripts/cli-docs.mjs generates from the program now', async () => {
    // Fed the source program rather than dist/, so a stand-alone vitest run cannot compare
    // against a stale build; `npm run docs:cli` runs the same renderer on the built one.
    const script = pathToFileURL(join(ROOT, 'scripts/cli-docs.mjs')).href;
    const { renderCliDocs } = (await import(script)) as {
      renderCliDocs: (build: typeof buildProgram) => Promise<string>;
    };
    const generated = await renderCliDocs(buildProgram);
    expect(cliReference, 'docs/cli.md is out of date: run npm run docs:cli').toBe(generated);
  });

  it('documents every exit code of the contract in docs/reference.md and in --help', async () => {
    const out = new PassThrough();
    let help = '';
    out.on('data', (chunk: Buffer) => (help += chunk.toString()));
    const code = await runCli(['--help'], { ...streams, stdout: out });
    expect(code).toBe(0);
    const reference = read('docs/reference.md');
    for (const exit of ['0', '1', '2', '3', '4', '5', '6', '130']) {
      expect(reference).toMatch(new RegExp(`\\|\\s*${exit}\\s*\\|`));
      expect(help).toMatch(new RegExp(`^  ${exit} +\\S`, 'm'));
    }
  });
});

const withoutCodeBlocks = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');

/** Link targets of a Markdown text that stay in this repository, outside code. */
function relativeLinks(markdown: string): string[] {
  const prose = withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const referenced = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)];
  return [...inline, ...referenced]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/**
 * The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to
 * hyphens, a repeated heading numbered.
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutCodeBlocks(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return anchors;
}

describe('links in the docs', () => {
  it.each(['README.md', ...docsPages])(
    'every relative link in %s names a file, and a heading there if it has #',
    (page) => {
      const dead = relativeLinks(read(page)).filter((target) => {
        const [file = '', anchor] = decodeURI(target).split('#');
        const path = file === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), file);
        if (!existsSync(path)) return true;
        if (anchor === undefined || !path.endsWith('.md')) return false;
        return !headingAnchors(readFileSync(path, 'utf8')).has(anchor);
      });
      expect(dead, `dead links in ${page}`).toEqual([]);
    },
  );
});
