import { cpSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { bankTemplate } from '../helpers/bank-template.js';
import { findChromium, launchChromium } from '../helpers/chromium.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { describeBankCommands, OPEN_ACCOUNT_TEMPLATE } from '../helpers/described-bank.js';
import { runInProcess } from '../helpers/in-process.js';
import { distinctColours } from '../helpers/png.js';
import { startUi, type RunningUi } from '../helpers/ui-server.js';

// The page of `eventlite ui` in a real headless Chromium, driven as a teacher drives it: events
// appended by another process appear, a projection's changed row is highlighted, a command runs
// from the page with the token and is refused without it, a scenario steps from the keyboard,
// and screenshots are not blank. EVENTLITE_UI_SCREENSHOT=docs/ui.png keeps the one the docs show.

const chromiumPath = findChromium();

if (chromiumPath === undefined) {
  if (process.env.CI === 'true') {
    describe('eventlite ui in Chromium', () => {
      it('needs a Chromium, which .ci/run installs (Debian: apt-get install chromium)', () => {
        throw new Error('no Chromium found at /usr/bin/chromium (or EVENTLITE_TEST_CHROMIUM)');
      });
    });
  } else {
    console.warn(
      "test/e2e/ui-browser.test.ts: SKIPPED, no Chromium found (install Debian's chromium, or set EVENTLITE_TEST_CHROMIUM)",
    );
    describe.skip('eventlite ui in Chromium (no Chromium found)', () => {
      it('drives the page', () => {});
    });
  }
} else {
  const bank = bankTemplate();
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    browser = await launchChromium(chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const backend of backends()) {
    describe(`eventlite ui in Chromium, on ${backend.name}`, () => {
      let folder: ReturnType<typeof tempDir>;
      let store: StoreUnderTest;
      let server: RunningUi | undefined;
      beforeEach(async () => {
        folder = tempDir();
        store = await backend.freshStore();
        cpSync(bank.dir, folder.dir, { recursive: true });
      });
      afterEach(async () => {
        await server?.stop();
        await store.cleanup();
        folder.cleanup();
      });

      const exec = async (command: string, data: object) => {
        // In process: another process than the spawned server's, without a Node start-up.
        const result = await runInProcess(['exec', command, JSON.stringify(data)], {
          cwd: folder.dir,
          env: store.env,
        });
        expect(result.code, result.stderr).toBe(0);
      };

      it(
        'shows events as they come, highlights changed rows, runs commands with the token, steps a scenario',
        { timeout: 120_000 },
        async () => {
          writeFileSync(
            join(folder.dir, 'lesson.ndjson'),
            [
              '{"command":"OpenAccount","data":{"accountId":"s1","owner":"Sam"}}',
              '{"command":"Deposit","data":{"accountId":"s1","amount":20}}',
              '',
            ].join('\n'),
          );
          server = await startUi(['--port', '0', '--allow-exec', '--replay', 'lesson.ndjson'], {
            cwd: folder.dir,
            env: store.env,
          });
          const page = await browser.context.newPage();
          const failures: string[] = [];
          page.on('pageerror', (error) => failures.push(error.message));
          // Opened without the token in the address: commands are refused until it is given.
          await page.goto(server.base);
          await sees(page.locator('#live'), 'live');

          // Another process appends; the log and the read model follow.
          await exec('OpenAccount', { accountId: 'acc-9', owner: 'Ada' });
          await sees(page.locator('#log-rows'), 'account-acc-9');
          const summary = page.locator('[data-table="account_summary"]');
          await sees(summary.locator('tr.mark-inserted'), 'acc-9');
          await exec('Deposit', { accountId: 'acc-9', amount: 50 });
          await sees(summary.locator('tr.mark-changed'), '50');
          await sees(summary.locator('tr.mark-changed'), 'acc-9');

          // A command from the page: refused without the token, run with it.
          await page.selectOption('#command-type', 'Deposit');
          await page.fill('#command-data', '{"accountId":"acc-9","amount":25}');
          await page.click('#run-command');
          await sees(page.locator('#command-result'), 'refused');
          await sees(page.locator('#command-result'), 'token');
          await page.fill('#token', server.token!);
          await page.press('#token', 'Enter');
          await sees(page.locator('#command-result'), 'MoneyDeposited');
          await sees(page.locator('#log-rows tr').first(), '"balance":75');
          await counts(page, '#log-rows tr', 3);

          // The scenario, from the keyboard: N runs the next line.
          await page.locator('h1').click();
          await page.keyboard.press('n');
          await sees(page.locator('#replay-result'), 'AccountOpened');
          await counts(page, '#replay-lines li.done', 1);
          await page.focus('#next');
          await page.keyboard.press('Enter');
          await sees(page.locator('#replay-result'), 'MoneyDeposited');
          await sees(page.locator('#replay-result'), '+ account_summary');
          await holds(page, "document.getElementById('next').disabled");
          await counts(page, '#log-rows tr', 5);

          // One stream and the state its decider folds.
          await page.getByRole('button', { name: 'account-acc-9' }).click();
          await sees(page.locator('#stream-detail pre'), '"balance": 75');

          // The query box: rows, and the same refusal as `query`.
          await page.fill(
            '#query-sql',
            'SELECT account_id, balance FROM account_summary ORDER BY 1',
          );
          await page.press('#query-sql', 'Control+Enter');
          await sees(page.locator('#query-result'), 'acc-9');
          await page.fill('#query-sql', 'DELETE FROM account_summary');
          await page.press('#query-sql', 'Control+Enter');
          await sees(page.locator('#query-result'), 'refused');

          // The server restarts on its port: the page reconnects after the last event it saw
          // (Last-Event-ID), shows the one appended meanwhile once, and its read models follow.
          const { port } = server;
          await server.stop();
          await sees(page.locator('#live'), 'reconnecting');
          await exec('Deposit', { accountId: 'acc-9', amount: 1 });
          server = await startUi(['--port', String(port)], { cwd: folder.dir, env: store.env });
          await sees(page.locator('#log-rows tr').first(), '"balance":76');
          await sees(summary.locator('tr'), '76');
          await counts(page, '#log-rows tr', 6);
          expect(
            await page.evaluate(
              "[...document.querySelectorAll('#log-rows tr')].map((row) => row.dataset.position)",
            ),
          ).toEqual(['6', '5', '4', '3', '2', '1']);

          await sees(page.locator('#diagram svg'), 'MoneyDeposited');
          await sees(page.locator('#diagram svg'), 'account_summary');
          await checkScreenshots(page, folder.dir, backend.name);
          expect(failures).toEqual([]);
          await page.close();
        },
      );

      it(
        "fills the command box from the command's schema (Standard JSON Schema) and runs it",
        { timeout: 120_000 },
        async () => {
          describeBankCommands(folder.dir);
          server = await startUi(['--port', '0', '--allow-exec'], {
            cwd: folder.dir,
            env: store.env,
          });
          const page = await browser.context.newPage();
          const failures: string[] = [];
          page.on('pageerror', (error) => failures.push(error.message));
          await page.goto(`${server.base}#token=${server.token}`);
          await sees(page.locator('#live'), 'live');

          // Deposit's schema only validates: its data comes from the scenario, as before.
          await page.selectOption('#command-type', 'Deposit');
          expect(await page.inputValue('#command-data')).toBe(
            JSON.stringify({ accountId: 'acc-1', amount: 100 }, null, 2),
          );
          await sees(page.locator('#command-hint'), 'From the first Deposit line of the scenario.');

          // OpenAccount's describes itself: the box holds its template, required fields first.
          await page.selectOption('#command-type', 'OpenAccount');
          expect(await page.inputValue('#command-data')).toBe(
            JSON.stringify(OPEN_ACCOUNT_TEMPLATE, null, 2),
          );
          await sees(
            page.locator('#command-hint'),
            "From OpenAccount's schema. Required: accountId, owner. Optional: note.",
          );
          await page.click('#run-command');
          await sees(page.locator('#command-result'), 'OpenAccount → account-acc-7');
          await sees(page.locator('#command-result'), 'AccountOpened');
          await sees(page.locator('#log-rows tr').first(), 'Grace Hopper');
          await counts(page, '#log-rows tr', 1);
          expect(failures).toEqual([]);
          await page.close();
        },
      );
    });
  }
}

const TIMEOUT = 30_000;

/** Waits until an element of `locator` shows `text`. */
async function sees(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: TIMEOUT });
}

/**
 * Waits until `expression` holds in the page. Asked from here, one evaluation at a time:
 * waitForFunction would poll by eval inside the page, which its Content-Security-Policy forbids.
 */
async function holds(page: Page, expression: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function counts(page: Page, selector: string, count: number): Promise<void> {
  await holds(page, `document.querySelectorAll(${JSON.stringify(selector)}).length === ${count}`);
}

/** Wide, then large type, then narrow: each screenshot holds a page, not a blank. */
async function checkScreenshots(page: Page, dir: string, backend: string): Promise<void> {
  await page.locator('h1').click();
  await page.setViewportSize({ width: 1100, height: 1100 });
  const wide = await page.screenshot({ path: join(dir, 'ui-wide.png') });
  expect(distinctColours(wide)).toBeGreaterThan(50);
  const keep = process.env.EVENTLITE_UI_SCREENSHOT;
  if (keep && backend === 'sqlite') writeFileSync(resolve(ROOT, keep), wide);

  await page.keyboard.press('l');
  await holds(page, "document.documentElement.classList.contains('large')");
  expect(await page.evaluate('getComputedStyle(document.documentElement).fontSize')).toBe('24px');
  await page.setViewportSize({ width: 420, height: 900 });
  const narrow = await page.screenshot({ path: join(dir, 'ui-narrow.png') });
  expect(distinctColours(narrow)).toBeGreaterThan(50);
  // One column: nothing sticks out sideways.
  const wider = await page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((element) => !element.parentElement.closest('.scroll'))
    .filter((element) => element.getBoundingClientRect().right > 420 || element.scrollWidth > element.clientWidth + 1)
    .filter((element) => getComputedStyle(element).overflowX === 'visible')
    .map((element) => element.tagName + '#' + element.id + '.' + element.className)`);
  expect(
    await page.evaluate('document.documentElement.scrollWidth'),
    String(wider),
  ).toBeLessThanOrEqual(420);
  // The same check on the page emptied: a blank screenshot fails it.
  await page.evaluate("document.body.replaceChildren(); document.documentElement.className = ''");
  const blank = await page.screenshot();
  expect(distinctColours(blank)).toBeLessThanOrEqual(2);
}
