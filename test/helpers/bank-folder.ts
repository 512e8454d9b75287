import { expect } from 'vitest';
import { spawnCli, tempDir } from './cli.js';

export type Folder = ReturnType<typeof tempDir>;

/**
 * A temporary folder holding the bank example (domain module with account_summary), scaffolded
 * by the built CLI, and its store: `eventlite.db` in the folder, or the one that `env` names.
 */
export async function bankFolder(
  options: { env?: Record<string, string>; prefix?: string } = {},
): Promise<Folder> {
  const folder = tempDir(options.prefix ?? 'eventlite-bank-');
  const init = await spawnCli(['init', '--example', 'bank', '--quiet'], {
    cwd: folder.dir,
    env: options.env,
  });
  expect(init.code, init.stderr).toBe(0);
  return folder;
}

/**
 * A store with events and a built read database, the way a user gets one: the bank example,
 * its scenario replayed (one command in it is rejected, hence --keep-going), projections run.
 */
export async function bankFolderWithReadModels(prefix?: string): Promise<Folder> {
  const folder = await bankFolder({ prefix });
  for (const args of [
    ['replay', 'scenario.ndjson', '--keep-going'],
    ['projections', 'run'],
  ]) {
    const result = await spawnCli(args, { cwd: folder.dir });
    if (result.code !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  }
  return folder;
}
