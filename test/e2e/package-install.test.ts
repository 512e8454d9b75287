import { spawnSync } from 'node:child_process';
import { chownSync, lchownSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, ROOT, tempDir } from '../helpers/cli.js';
import { copyPackage, runProgram } from '../helpers/package-copy.js';

// The package as people get it: what `npm pack` puts in the tarball, and `npm link` from a
// clone (the README's way to put `eventlite` on the PATH) as root and as a user, with the real
// npm and a copy of the package (copyPackage).

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** Where the tests run as a user when they run as root: nobody, through setpriv. */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const canDropPrivileges = asRoot && spawnSync('setpriv', ['--version']).status === 0;

/** Gives `path` and everything under it (links themselves, not what they point at) to `uid`. */
function giveTo(path: string, uid: number): void {
  lchownSync(path, uid, uid);
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    lchownSync(join(entry.parentPath, entry.name), uid, uid);
  }
}

// npm's own settings only: none of the npm_config_* that `npx vitest` passes down (the
// user's config file, cache and prefix), so that each run sees the user it runs as.
function npmEnv(home: string, settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cliEnv({ HOME: home });
  for (const key of Object.keys(env)) if (/^npm_config_/i.test(key)) delete env[key];
  return {
    ...env,
    npm_config_cache: join(home, '.npm'),
    npm_config_update_notifier: 'false',
    ...settings,
  };
}

/**
 * What the README says to run, as words: the line after `npm install && npm run demo` that
 * puts eventlite on the PATH, and the one command a user runs first where npm's global folder
 * is not theirs. Run as written, so that the README cannot drift from what works.
 */
function readmeSays(): { link: string[]; userPrefix: (home: string) => string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const link = /^(npm link[^#\n]*?)\s*#[^\n]*eventlite --version/m.exec(readme)?.[1];
  const prefix = /`(npm config set prefix ~\/[^`]+)`/.exec(readme)?.[1];
  expect(link, 'the README says how to put eventlite on the PATH').toBeDefined();
  expect(
    prefix,
    'the README says what a user without a global folder of their own runs',
  ).toBeDefined();
  return {
    link: link!.split(/\s+/).slice(1),
    userPrefix: (home) => prefix!.replace('~', home).split(/\s+/).slice(1),
  };
}

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

describe('npm pack', () => {
  it('ships the license, the docs the README links to, and none of the sources or tests', () => {
    const packed = runProgram('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      env: npmEnv(folder.dir),
    });
    expect(packed.code, packed.stderr).toBe(0);
    const [{ files }] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }];
    const paths = new Set(files.map((file) => file.path));
    // With the page of `eventlite ui`, which the build copies into dist/.
    for (const path of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/eventlite.js',
      'dist/ui/page/index.html',
      'dist/ui/page/ui.js',
    ]) {
      expect(paths, path).toContain(path);
    }
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 the eventlite authors\n/,
    );
    expect(
      [...paths].filter(
        (path) =>
          (/^(src|test|scripts|\.ci)\//.test(path) && !path.endsWith('README.md')) ||
          path.startsWith('bench/run'),
      ),
    ).toEqual([]);
    // Every relative link of every Markdown file shipped resolves to a file shipped.
    const markdown = [...paths].filter((path) => path.endsWith('.md'));
    expect(markdown).toEqual(
      expect.arrayContaining(['docs/store.md', 'docs/cli.md', 'bench/README.md']),
    );
    const dead: string[] = [];
    for (const path of markdown) {
      const text = readFileSync(join(ROOT, path), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const linked = normalize(join(dirname(path), target!));
        if (!paths.has(linked)) dead.push(`${path} → ${target}`);
      }
    }
    expect(dead).toEqual([]);
  });
});

describe('npm link, as the README says', () => {
  it('puts eventlite on the PATH from the clone, without a second build or a warning', () => {
    const pkg = copyPackage(join(folder.dir, 'clone'));
    const prefix = join(folder.dir, 'prefix');
    const link = runProgram('npm', [...readmeSays().link, '--offline', '--no-audit', '--no-fund'], {
      cwd: pkg,
      env: npmEnv(folder.dir, { npm_config_prefix: prefix }),
    });
    expect(link.code, link.stderr).toBe(0);
    expect(link.stderr).toBe('');
    const version = runProgram('eventlite', ['--version'], {
      cwd: folder.dir,
      env: cliEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH}` }),
    });
    expect([version.code, version.stdout, version.stderr]).toEqual([0, `${VERSION}\n`, '']);
  });

  it.skipIf(!canDropPrivileges)(
    'as a user: a prefix of their own, then npm link, then eventlite runs the bank example',
    () => {
      const pkg = copyPackage(join(folder.dir, 'clone'));
      const home = join(folder.dir, 'home');
      mkdirSync(home);
      giveTo(folder.dir, NOBODY);
      const env = npmEnv(home);
      const asUser = (command: string, args: string[], cwd: string, extra = {}) =>
        runProgram(command, args, { cwd, env: { ...env, ...extra }, uid: NOBODY });

      const readme = readmeSays();
      const prefix = asUser('npm', readme.userPrefix(home), home);
      expect(prefix.code, prefix.stderr).toBe(0);
      const link = asUser('npm', [...readme.link, '--offline', '--no-audit', '--no-fund'], pkg);
      expect(link.code, link.stderr).toBe(0);

      const path = { PATH: `${join(home, '.local/bin')}:${process.env.PATH}` };
      const version = asUser('eventlite', ['--version'], home, path);
      expect([version.code, version.stdout, version.stderr]).toEqual([0, `${VERSION}\n`, '']);
      const classroom = join(home, 'class');
      mkdirSync(classroom);
      chownSync(classroom, NOBODY, NOBODY);
      expect(asUser('eventlite', ['init', '--example', 'bank'], classroom, path).code).toBe(0);
      const test = asUser('eventlite', ['test', '--format', 'ndjson'], classroom, path);
      expect([test.code, test.stderr]).toEqual([0, '12 of 12 specs passed\n']);
    },
  );
});
