// Bundles the CLI (dist/cli/main.js, which tsc has just written, and what it imports) into
// dist/bundle/eventlite.mjs, the file bin/eventlite.js starts. Start-up is most of what a short
// command costs, and most of start-up beyond Node itself was resolving and loading ~150 small
// ES modules one by one; one file loads in a fraction of that. The lazily imported pieces
// (each command, the read side, the PostgreSQL adapter, the domain loader) become chunks that
// are still loaded only when a command runs them. Kept external: the native better-sqlite3,
// pg (PostgreSQL only), jiti (loaded through createRequire, its fastest entry) and yaml (only
// spec files read it; bundled, its CommonJS build lost its named exports to a dynamic import).
// The bundle sits at the depth of dist/cli/*.js, so paths taken from import.meta.url
// (package.json, fixtures/) resolve as they do from the modules tsc wrote.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;

// commander requires node:child_process when it loads, for subcommands that are programs of
// their own, which eventlite has none of; loading it (and the net and stream modules it pulls
// in) was a tenth of a short command's CPU. commander gets a stand-in that loads the real
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

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { eventlite: 'dist/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  external: ['better-sqlite3', 'pg', 'jiti', 'yaml'],
  plugins: [lazyChildProcess],
  // Stack traces with --debug still name the source files.
  sourcemap: 'linked',
  legalComments: 'none',
  // commander and cli-table3 are CommonJS and require Node's built-ins: give each ES chunk a
  // require of its own.
  banner: {
    js: "import { createRequire as __eventliteRequire } from 'node:module'; const require = __eventliteRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
