import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultReadDb, readModelsExist, runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';

// Projection specs in process, as a class would meet them: the orders example's read-model
// specs pass as scaffolded, and a wrong one fails the run, naming the case. Once per backend:
// the specs build scratch read models of their own whatever the store, and touch neither the
// store's read models nor, on PostgreSQL, its database.

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let scratch: string;
  let store: StoreUnderTest;
  // TMPDIR points the runner's scratch read databases at a folder the test can watch.
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir, env: { TMPDIR: scratch } });
  // jiti keeps its cache there too; the runner's own folders are named eventlite-spec-*.
  const scratchLeft = () =>
    readdirSync(scratch).filter((name) => name.startsWith('eventlite-spec-'));

  beforeEach(async () => {
    folder = tempDir();
    scratch = join(folder.dir, 'tmp');
    mkdirSync(scratch);
    store = await backend.freshStore();
    expect((await cli(['init', '--example', 'orders'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  describe('test: projection specs', () => {
    it('passes the orders example read-model specs, leaving nothing behind', async () => {
      const result = await cli(['test', 'specs/read-models.spec.yaml', '--format', 'table']);
      expect([result.code, result.stderr]).toEqual([0, '4 of 4 specs passed\n']);
      expect(result.stdout).toBe(
        [
          'specs/read-models.spec.yaml',
          '  ✓ orders and their items, with the status kept up to date  (line 6)',
          '  ✓ one order_items row per item  (line 40)',
          '  ✓ monthly_customer_summary sums each month, leaving out cancelled orders  (line 58)',
          "  ✓ a customer's orders, newest first, one page at a time  (line 124)",
          '',
        ].join('\n'),
      );
      expect(scratchLeft()).toEqual([]);
      // The specs build their own read models: the folder's store and read database stay as init left them.
      expect(readdirSync(folder.dir).filter((name) => name.includes('.read.'))).toEqual([]);
      expect(await readModelsExist(defaultReadDb(store.db), folder.dir)).toBe(false);
    });

    it('fails, exit 1, on a wrong projection spec, naming the case with expected and actual rows', async () => {
      writeFileSync(
        join(folder.dir, 'specs/wrong.spec.yaml'),
        `- name: a wrong total
  given:
    - type: OrderPlaced
      data: { orderId: o-1, customerId: c-1, items: [{ productId: pen, quantity: 2, price: 3 }], total: 6 }
  query: SELECT id, total FROM orders WHERE customer_id = :customer
  params: { customer: c-1 }
  then:
    rows: [{ id: o-1, total: 7 }]
`,
      );
      const result = await cli(['test', '--format', 'table']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        [
          'specs/wrong.spec.yaml',
          '  ✗ a wrong total  (line 1)',
          '      row 1: total: expected 7, got 6',
          '        expected: {"id":"o-1","total":7}',
          '        actual:   {"id":"o-1","total":6}',
          '',
        ].join('\n'),
      );
      expect(result.stderr).toBe('error: 1 of 21 specs failed\n');

      const json = await cli(['test', 'specs/wrong.spec.yaml', '--format', 'ndjson']);
      expect(json.code).toBe(1);
      expect(parseNdjson(json.stdout)).toEqual([
        {
          file: 'specs/wrong.spec.yaml',
          line: 1,
          name: 'a wrong total',
          passed: false,
          message:
            'row 1: total: expected 7, got 6\n  expected: {"id":"o-1","total":7}\n  actual:   {"id":"o-1","total":6}',
        },
      ]);
      expect(scratchLeft()).toEqual([]);
      expect(await readModelsExist(defaultReadDb(store.db), folder.dir)).toBe(false);
    });
  });
});
