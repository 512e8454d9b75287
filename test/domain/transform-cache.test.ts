import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDomain } from '../../src/app/load-domain.js';
import { cachedTransform, type TransformOptions } from '../../src/domain/transform-cache.js';
import { collect, startCli, tempDir } from '../helpers/cli.js';

// The compiled domain module is cached by content: TypeScript is compiled once, an edit is
// seen by the very next load, two processes may fill the cache at once, and an entry that is
// not what was written is ignored.

let folder: ReturnType<typeof tempDir>;
let cacheDir: string;
beforeEach(() => {
  folder = tempDir();
  cacheDir = join(folder.dir, 'cache');
});
afterEach(() => folder.cleanup());

const entries = () => readdirSync(join(cacheDir, 'compiled')).sort();

function countingTransform() {
  const calls: string[] = [];
  const transform = (options: TransformOptions) => {
    calls.push(options.source);
    return { code: `compiled(${options.source})` };
  };
  return { calls, transform };
}

describe('cachedTransform', () => {
  it('compiles a source once, then serves it from the cache, also to a new process', () => {
    const { calls, transform } = countingTransform();
    const options = { source: 'const a: number = 1', filename: '/m/domain.ts' };
    expect(cachedTransform(transform, cacheDir, 'v1')(options).code).toBe(
      'compiled(const a: number = 1)',
    );
    // A new cachedTransform stands for the next run of the CLI.
    expect(cachedTransform(transform, cacheDir, 'v1')(options).code).toBe(
      'compiled(const a: number = 1)',
    );
    expect(calls).toEqual(['const a: number = 1']);
  });

  it('keys by source, options and versions: any change compiles afresh', () => {
    const { calls, transform } = countingTransform();
    const run = (versions: string, options: TransformOptions) =>
      cachedTransform(transform, cacheDir, versions)(options).code;
    run('v1', { source: 'a', filename: '/m/domain.ts' });
    run('v1', { source: 'b', filename: '/m/domain.ts' });
    run('v1', { source: 'a', filename: '/m/other.ts' });
    run('v2', { source: 'a', filename: '/m/domain.ts' });
    expect(calls).toEqual(['a', 'b', 'a', 'a']);
    expect(entries()).toHaveLength(4);
  });

  it('ignores an entry that is not what was written, and replaces it', () => {
    const { calls, transform } = countingTransform();
    const options = { source: 'x', filename: '/m/domain.ts' };
    cachedTransform(transform, cacheDir, 'v1')(options);
    const [entry] = entries();
    const file = join(cacheDir, 'compiled', entry!);
    const written = readFileSync(file, 'utf8');
    for (const corrupt of [
      written.slice(0, 5),
      '',
      written.replace('compiled(x)', 'evil(x)'),
      'garbage',
    ]) {
      writeFileSync(file, corrupt);
      expect(cachedTransform(transform, cacheDir, 'v1')(options).code).toBe('compiled(x)');
      expect(readFileSync(file, 'utf8')).toBe(written);
    }
    expect(calls).toHaveLength(5);
  });

  it('keeps no entry for a failed compile, and leaves no temporary files', () => {
    const transform = (options: TransformOptions) => ({
      code: '',
      error: new Error(options.source),
    });
    expect(cachedTransform(transform, cacheDir, 'v1')({ source: 'bad' }).error).toBeInstanceOf(
      Error,
    );
    cachedTransform(countingTransform().transform, cacheDir, 'v1')({ source: 'good' });
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(/^[0-9a-f]{64}\.js$/);
  });

  it('still compiles when the cache folder cannot be written', () => {
    writeFileSync(join(folder.dir, 'file'), '');
    const { calls, transform } = countingTransform();
    const blocked = cachedTransform(transform, join(folder.dir, 'file'), 'v1');
    expect(blocked({ source: 'y' }).code).toBe('compiled(y)');
    expect(blocked({ source: 'y' }).code).toBe('compiled(y)');
    expect(calls).toEqual(['y', 'y']);
  });
});

const DOMAIN = (amount: number) => `import { defineDecider, defineDomain } from 'eventlite';
type Add = { type: 'Add'; data: { id: string } };
const counter = defineDecider<{ n: number }, Add, { type: 'Added'; data: { n: number } }>({
  category: 'counter',
  streamId: (command) => command.data.id,
  initialState: () => ({ n: 0 }),
  evolve: (state, event) => ({ n: state.n + event.data.n }),
  decide: { Add: () => [{ type: 'Added', data: { n: ${amount} } }] },
});
export default defineDomain({ deciders: { counter } });
`;

async function decidedAmount(): Promise<unknown> {
  const domain = await loadDomain('domain.ts', folder.dir, { cacheDir });
  const decider = domain.deciders.counter!;
  const events = decider.decide.Add!({ type: 'Add', data: { id: 'a' } }, decider.initialState());
  return (events as { data: { n: number } }[])[0]!.data.n;
}

describe('loading a TypeScript domain module through the cache', () => {
  it('sees an edit on the next load, and loads again from a corrupt entry', async () => {
    writeFileSync(join(folder.dir, 'domain.ts'), DOMAIN(1));
    expect(await decidedAmount()).toBe(1);
    expect(entries()).toHaveLength(1);
    expect(await decidedAmount()).toBe(1);
    expect(entries()).toHaveLength(1);

    writeFileSync(join(folder.dir, 'domain.ts'), DOMAIN(2));
    expect(await decidedAmount()).toBe(2);
    expect(entries()).toHaveLength(2);

    for (const entry of entries()) {
      writeFileSync(join(cacheDir, 'compiled', entry), 'module.exports = { default: 42 };');
    }
    expect(await decidedAmount()).toBe(2);
  });

  it('two processes filling an empty cache at once both run, leaving one whole entry', async () => {
    writeFileSync(join(folder.dir, 'domain.ts'), DOMAIN(3));
    const args = ['--domain', 'domain.ts', 'exec', '--dry-run', 'Add', '{"id":"a"}'];
    const options = { cwd: folder.dir, env: { EVENTLITE_CACHE_DIR: cacheDir } };
    const results = await Promise.all(
      [1, 2, 3].map(() => collect(startCli([...args, '--format', 'ndjson'], options))),
    );
    for (const result of results) {
      expect([result.code, result.stderr]).toEqual([0, 'dry run: nothing appended to counter-a\n']);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: 'Added', data: { n: 3 } });
    }
    expect(entries()).toHaveLength(1);
    expect(await decidedAmount()).toBe(3);
  });

  it('runs a module that imports only eventlite from its compiled code, without jiti', async () => {
    writeFileSync(join(folder.dir, 'domain.ts'), DOMAIN(4));
    expect(await decidedAmount()).toBe(4);
    const kept = readdirSync(join(cacheDir, 'modules'));
    expect(kept).toHaveLength(1);
    // The kept code is what runs next time: changed (with a valid check), the change shows.
    const file = join(cacheDir, 'modules', kept[0]!);
    const text = readFileSync(file, 'utf8');
    const code = text.slice(0, text.lastIndexOf('\n//eventlite-cache:')).replace('n: 4', 'n: 40');
    writeFileSync(file, `${code}\n//eventlite-cache:${sha256(code)}`);
    expect(await decidedAmount()).toBe(40);
  });

  it('a module that imports a file of its own goes through jiti: an edit of that file is seen', async () => {
    writeFileSync(
      join(folder.dir, 'domain.ts'),
      DOMAIN(0)
        .replace('data: { n: 0 } }', 'data: { n: amount } }')
        .replace(/^/, "import { amount } from './amount.ts';\n"),
    );
    writeFileSync(join(folder.dir, 'amount.ts'), 'export const amount: number = 5;\n');
    expect(await decidedAmount()).toBe(5);
    writeFileSync(join(folder.dir, 'amount.ts'), 'export const amount: number = 6;\n');
    expect(await decidedAmount()).toBe(6);
  });

  it('a module that fails as it loads names the same line from its compiled code as through jiti', async () => {
    writeFileSync(
      join(folder.dir, 'domain.ts'),
      `${DOMAIN(1)}\nconst limit: number = 1;\nif (limit > 0) throw new Error('refusing to load');\n`,
    );
    const cold = await loadDomain('domain.ts', folder.dir, { cacheDir }).catch(
      (e: Error) => e.message,
    );
    expect(readdirSync(join(cacheDir, 'modules'))).toHaveLength(1);
    const warm = await loadDomain('domain.ts', folder.dir, { cacheDir }).catch(
      (e: Error) => e.message,
    );
    expect(cold).toContain('refusing to load');
    expect(cold).toContain('domain.ts:13');
    expect(warm).toBe(cold);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
