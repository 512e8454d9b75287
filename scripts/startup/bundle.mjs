// Bundles the CLI (dist/cli/main.js, which tsc has just written, and what it imports) into
// dist/bundle/, which bin/eventlite.js starts. Start-up is most of what a short command costs,
// and most of start-up beyond Node itself was resolving and loading ~150 small ES modules one
// by one. esbuild bundles them, and the lazily imported pieces (each command, the read side,
// the PostgreSQL adapter, the domain loader) become chunks that are still loaded only when a
// command runs them. better-sqlite3's JavaScript is bundled; its native addon is loaded from
// where npm built it (src/store/sqlite/open.ts). Kept external: pg (PostgreSQL only), jiti
// (loaded through createRequire, its fastest entry) and yaml (only spec files read it;
// bundled, its CommonJS build lost its named exports to a dynamic import).
//
// The chunks are then turned into CommonJS and loaded by dist/bundle/eventlite.cjs (written
// below): Node's ES module loader costs a short command a share of its CPU before any
// of our code runs (it reads each file through fs/promises, resolves URLs, and loads
// readline), and Node's CommonJS loader spends as much again resolving each chunk's path. The
// loader here knows where every chunk is, reads and compiles it, and nothing else.
//
// The bundle sits at the depth of dist/cli/*.js, so paths taken from import.meta.url
// (package.json, fixtures/) resolve as they do from the modules tsc wrote.
import { build, transform } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outdir = `${root}dist/bundle`;

// commander requires node:child_process when it loads, for subcommands that are programs of
// their own, which eventlite has none of; loading it (and the net and stream modules it pulls
// in) was a measurable part of a short command's CPU. commander gets a stand-in that loads the real
// module on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/commander/`)
        ? { path: 'lazy-child-process', namespace: 'eventlite' }
        : undefined,
    );
    build.onLoad({ filter: /^lazy-child-process$/, namespace: 'eventlite' }, () => ({
      contents:
        "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

const built = await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  outdir,
  write: false,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: ['pg', 'jiti', 'yaml'],
  plugins: [lazyChildProcess],
  // Carried through to the CommonJS chunks' maps: with --enable-source-maps, stack traces
  // name the source files.
  sourcemap: 'inline',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// A function V8 restores from a code cache has lost what Node needs to run its import() (on
// Node 20: "A dynamic import callback was not specified"), so the chunks may not import()
// anything outside the bundle: what they load at run time they require.
const dynamic = Object.entries(built.metafile.outputs).flatMap(([file, output]) =>
  output.imports
    .filter((entry) => entry.kind === 'dynamic-import' && entry.external)
    .map((entry) => `${file}: import(${JSON.stringify(entry.path)})`),
);
if (dynamic.length > 0) {
  console.error(
    `bundle-cli: chunks must require, not import(), what is outside the bundle:\n${dynamic.join('\n')}`,
  );
  process.exit(1);
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
for (const file of built.outputFiles) {
  const name = basename(file.path).replace(/\.js$/, '.cjs');
  const chunk = await transform(chunkImportsAsRequires(file.text), {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcefile: `${name}.src`,
    sourcemap: 'external',
    // Without comments and layout a chunk is smaller to read (bench/README.md has the
    // figures). Names are kept, and the maps lead a stack trace's positions back to the sources.
    minifyWhitespace: true,
    // The loader gives each chunk its own file's URL (see loader.cjs).
    define: { 'import.meta.url': '__eventliteUrl' },
    logLevel: 'warning',
  });
  writeFileSync(`${outdir}/${name}`, `${chunk.code}//# sourceMappingURL=${name}.map\n`);
  writeFileSync(`${outdir}/${name}.map`, chunk.map);
}

/**
 * One chunk importing another, statically or not, requires it: CommonJS loads a chunk only
 * when its importer runs, as the ES module did, and the loader finds it by name.
 */
function chunkImportsAsRequires(code) {
  return code
    .replace(
      /\bimport\("\.\/(chunk-\w+)\.js"\)/g,
      'Promise.resolve().then(() => require("./$1.cjs"))',
    )
    .replace(/(from\s+|import\s+)"\.\/(chunk-\w+)\.js"/g, '$1"./$2.cjs"');
}

// The loader bin/eventlite.js requires, beside the chunks it loads.
copyFileSync(new URL('./loader.cjs', import.meta.url), `${outdir}/eventlite.cjs`);
