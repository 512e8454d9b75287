import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from 'typescript';
import { requireTypeScript, type TypeScript } from './typescript.js';

export type TypeCheckResult =
  | { status: 'ok'; version: string }
  | { status: 'errors'; version: string; errorCount: number; report: string }
  /** Nothing to check: a JavaScript module. */
  | { status: 'skipped'; reason: string }
  /** A TypeScript module, but no TypeScript compiler to check it with. */
  | { status: 'unavailable'; reason: string };

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
  const ts = requireTypeScript(cwd);
  if (!ts) {
    return {
      status: 'unavailable',
      reason:
        'typescript is not installed in this project nor beside eventlite (npm install --save-dev typescript)',
    };
  }
  const options = compilerOptions(ts, absolute);
  const program = ts.createProgram([absolute], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return { status: 'ok', version: ts.version };
  const report = formatReport(ts, errors, cwd);
  return { status: 'errors', version: ts.version, errorCount: errors.length, report };
}

/**
 * TypeScript's syntax errors in a TypeScript module and the files it imports, in tsc's
 * format (`file(line,col): error TS1005: …`, what CI annotations read); undefined when there
 * are none, or no TypeScript. For a module that does not load: the loader names the first.
 */
export function syntaxReport(absolute: string, cwd: string): string | undefined {
  if (!['.ts', '.mts', '.cts'].includes(extname(absolute))) return undefined;
  const ts = requireTypeScript(cwd);
  if (!ts) return undefined;
  const program = ts.createProgram([absolute], compilerOptions(ts, absolute));
  const errors = program
    .getSyntacticDiagnostics()
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  return errors.length === 0 ? undefined : formatReport(ts, errors, cwd);
}

function formatReport(ts: TypeScript, errors: readonly Diagnostic[], cwd: string): string {
  return ts.formatDiagnostics(errors, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => cwd,
    getNewLine: () => '\n',
  });
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
