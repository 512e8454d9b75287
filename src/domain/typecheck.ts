import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TypeCheckResult =
  | { status: 'ok'; version: string }
  | { status: 'errors'; version: string; errorCount: number; report: string }
  | { status: 'skipped'; reason: string };

// The package's own folder (src/domain or dist/domain, two up): its type declarations stand in
// for 'eventlite' when the user's folder cannot resolve it.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Type-checks a TypeScript domain module with the TypeScript compiler, when one can be found:
 * the user's project's own first (its version is the one their editor uses), else the one
 * installed beside eventlite. TypeScript is not a dependency of eventlite, so neither may be
 * there: then the result says so instead of passing silently. The module's nearest
 * tsconfig.json gives the options; without one, strict defaults.
 */
export async function typeCheckModule(absolute: string, cwd: string): Promise<TypeCheckResult> {
  if (!['.ts', '.mts', '.cts'].includes(extname(absolute))) {
    return { status: 'skipped', reason: 'a JavaScript module has no types to check' };
  }
  const ts = await loadTypeScript(cwd);
  if (!ts) {
    return {
      status: 'skipped',
      reason:
        'typescript is not installed in this project nor beside eventlite (npm install --save-dev typescript)',
    };
  }
  const options = compilerOptions(ts, absolute);
  const program = ts.createProgram([absolute], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return { status: 'ok', version: ts.version };
  const report = ts.formatDiagnostics(errors, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => cwd,
    getNewLine: () => '\n',
  });
  return { status: 'errors', version: ts.version, errorCount: errors.length, report };
}

type TypeScript = typeof import('typescript');

async function loadTypeScript(cwd: string): Promise<TypeScript | undefined> {
  for (const from of [join(cwd, 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      // Required, not imported: TypeScript is CommonJS, and a dynamic import() from the bundled
      // CLI's code-cached chunks fails on Node 20 (see scripts/bundle-cli.mjs).
      const loaded = createRequire(from)('typescript') as { default?: TypeScript };
      return loaded.default ?? (loaded as unknown as TypeScript);
    } catch {
      // Not there: try the next place.
    }
  }
  return undefined;
}

function compilerOptions(ts: TypeScript, absolute: string) {
  const configPath = ts.findConfigFile(dirname(absolute), (path) => ts.sys.fileExists(path));
  const parsed =
    configPath === undefined
      ? undefined
      : ts.getParsedCommandLineOfConfigFile(
          configPath,
          {},
          {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: () => {},
          },
        );
  const options = parsed?.options ?? {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    types: [],
  };
  const declarations = join(PACKAGE_ROOT, 'dist/index.d.ts');
  if (!parsed && existsSync(declarations)) options.paths = { eventlite: [declarations] };
  return { ...options, noEmit: true };
}
