import { readFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { requireTypeScript } from './typescript.js';

export interface SyntaxErrorPlace {
  line: number;
  /** From 1. */
  column: number;
  message: string;
}

const TYPESCRIPT = ['.ts', '.mts', '.cts'];

/**
 * TypeScript's own first syntax error in a TypeScript file, as `tsc` reports it, where the
 * compiler can be found. Babel, which compiles the module, backtracks when `f<T>(…)` fails to
 * parse as a call with type arguments, and then blames the start of the statement for any
 * error inside the call (a missing `}` forty lines down reads "Missing initializer in const
 * declaration"); TypeScript's parser reports the token it could not take. Only asked once
 * Babel has failed, so it costs nothing on a good load.
 */
export function typeScriptSyntaxError(file: string): SyntaxErrorPlace | undefined {
  if (!TYPESCRIPT.includes(extname(file))) return undefined;
  const ts = requireTypeScript(dirname(file));
  if (!ts) return undefined;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // transpileModule reports the parser's diagnostics alone: no types, no other files.
  const { diagnostics = [] } = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext },
  });
  for (const diagnostic of diagnostics) {
    if (diagnostic.file === undefined || diagnostic.start === undefined) continue;
    if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    return { line: line + 1, column: character + 1, message };
  }
  return undefined;
}
