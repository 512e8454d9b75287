import { readFileSync } from 'node:fs';

/** A scenario file's JSON lines, without its `#` comments and blank lines. */
export function scenarioLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
