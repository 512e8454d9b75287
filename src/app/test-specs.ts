import type { Domain } from '../core/domain.js';
import { findSpecFiles } from './specs/find-specs.js';
import { runProjectionCase } from './specs/projection-case.js';
import { runSpecCases } from './specs/run-specs.js';
import type { CaseResult, SpecCase } from './specs/spec-case.js';
import { readSpecFile } from './specs/spec-file.js';
import { unknownGivenTypes } from './specs/unknown-given.js';

/**
 * Reads every spec file first (a malformed one is bad input before any case runs), then
 * loads the domain and runs the cases in order: command cases purely, projection cases with
 * the real runner on scratch stores, on the backend of `readDb` (the read models' location:
 * a PostgreSQL URL gives scratch schemas in its database, anything else scratch SQLite files).
 * Never throws for a failing case.
 */
export async function runSpecs(
  paths: readonly string[],
  options: {
    cwd: string;
    loadDomain: () => Promise<Domain>;
    readDb?: string;
    /** Told of each given event whose type nothing in the domain knows (unknownGivenTypes). */
    onWarning?: (warning: string) => void;
  },
): Promise<CaseResult[]> {
  const cases: SpecCase[] = [];
  for (const file of findSpecFiles(paths, options.cwd)) {
    cases.push(...(await readSpecFile(file.path, file.label)));
  }
  const domain = await options.loadDomain();
  for (const warning of unknownGivenTypes(domain, cases)) options.onWarning?.(warning);
  const { readDb } = options;
  return runSpecCases(domain, cases, {
    projectionRunner: (loaded, specCase) => runProjectionCase(loaded, specCase, { readDb }),
  });
}
