import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { bankTemplate } from '../helpers/bank-template.js';
import { xmlProblem } from '../helpers/xml.js';

// `diagram --format markdown|svg|html`: the flowchart in a fenced block for a handout, or drawn
// here as a picture a browser opens with no network. And every distinct name its own node.
// Rendering is the same on both backends (test/cli/diagram.test.ts reads the log on each).

const template = bankTemplate();

let folder: ReturnType<typeof tempDir>;
const cli = (args: string[]) => runInProcess(args, { cwd: folder.dir });
beforeEach(() => {
  folder = tempDir();
  cpSync(template.dir, folder.dir, { recursive: true, verbatimSymlinks: true });
});
afterEach(() => folder.cleanup());

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The boxes (by node id and label) and arrows of an SVG that `diagram` drew. */
function picture(svg: string) {
  const nodes = new Map<string, Box & { kind: string; label: string }>();
  const groups =
    /<g class="node (\w+)" id="([^"]+)">\n\s*<title>[^<]*<\/title>\n\s*<(?:rect|path) ([^>]*)>[\s\S]*?<text [^>]*>([^<]*)<\/text>/g;
  for (const [, kind, id, shape, label] of svg.matchAll(groups)) {
    const number = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(shape!)?.[1]);
    const path = /d="M([\d.]+),([\d.]+) a([\d.]+),/.exec(shape!);
    const box = path
      ? { x: Number(path[1]), y: Number(path[2]) - 5, width: 2 * Number(path[3]), height: 34 }
      : { x: number('x'), y: number('y'), width: number('width'), height: number('height') };
    nodes.set(id!, { kind: kind!, label: label!, ...box });
  }
  const edges = [
    ...svg.matchAll(
      /data-from="([^"]+)" data-to="([^"]+)" d="M([\d.]+),([\d.]+) C[^"]* ([\d.]+),([\d.]+)"/g,
    ),
  ].map(([, from, to, x1, y1, x2, y2]) => ({
    from: from!,
    to: to!,
    start: [Number(x1), Number(y1)],
    end: [Number(x2), Number(y2)],
  }));
  return { nodes, edges };
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('diagram --format', () => {
  it('markdown: the Mermaid flowchart in a fenced block', async () => {
    const mermaid = await cli(['diagram', '--no-log']);
    const markdown = await cli(['diagram', '--no-log', '--format', 'markdown']);
    expect([markdown.code, markdown.stderr]).toEqual([0, '']);
    expect(markdown.stdout).toBe(`\`\`\`mermaid\n${mermaid.stdout}\`\`\`\n`);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
  });

  it('svg: every box and arrow drawn, arrows from box to box, no box over another, no network', async () => {
    writeFileSync(
      join(folder.dir, 'story.ndjson'),
      '{"command":"OpenAccount","data":{"accountId":"a","owner":"Ada"}}\n{"command":"Deposit","data":{"accountId":"a","amount":5}}\n',
    );
    expect((await cli(['replay', 'story.ndjson'])).code).toBe(0);
    const result = await cli(['diagram', '--format', 'svg']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const svg = result.stdout;
    expect(xmlProblem(svg)).toBeUndefined();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    expect([...svg.matchAll(/https?:\/\/[^"]*/g)].map((url) => url[0])).toEqual([
      'http://www.w3.org/2000/svg',
    ]);
    const { nodes, edges } = picture(svg);
    expect([...nodes].map(([id, node]) => `${node.kind} ${id} ${node.label}`)).toEqual([
      'command c_OpenAccount OpenAccount',
      'command c_Deposit Deposit',
      'command c_Withdraw Withdraw',
      'event e_AccountOpened AccountOpened',
      'event e_MoneyDeposited MoneyDeposited',
      'event e_MoneyWithdrawn MoneyWithdrawn',
      'projection p_account_summary account_summary',
      'table t_account_summary account_summary',
    ]);
    expect(edges.map((edge) => `${edge.from} → ${edge.to}`)).toEqual([
      'c_OpenAccount → e_AccountOpened',
      'c_Deposit → e_MoneyDeposited',
      'e_AccountOpened → p_account_summary',
      'e_MoneyDeposited → p_account_summary',
      'e_MoneyWithdrawn → p_account_summary',
      'p_account_summary → t_account_summary',
    ]);
    for (const edge of edges) {
      const from = nodes.get(edge.from)!;
      const to = nodes.get(edge.to)!;
      expect(edge.start, `${edge.from} → ${edge.to}`).toEqual([
        from.x + from.width,
        from.y + from.height / 2,
      ]);
      expect(edge.end, `${edge.from} → ${edge.to}`).toEqual([to.x, to.y + to.height / 2]);
      expect(to.x, 'arrows go left to right').toBeGreaterThan(from.x + from.width);
    }
    const boxes = [...nodes.values()];
    for (const [index, box] of boxes.entries()) {
      for (const other of boxes.slice(index + 1))
        expect(overlap(box, other), `${box.label} and ${other.label}`).toBe(false);
      // Each label fits its box: 13px monospace is at most 0.6em a character.
      expect(box.width).toBeGreaterThanOrEqual(box.label.length * 13 * 0.6);
    }
  });

  it('html: a page holding the picture and the Mermaid source, with no script and no network', async () => {
    const svg = (await cli(['diagram', '--format', 'svg'])).stdout;
    const mermaid = (await cli(['diagram'])).stdout;
    const result = await cli(['diagram', '--format', 'html']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const html = result.stdout;
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n/);
    expect(xmlProblem(html)).toBeUndefined();
    expect(html).toContain(svg);
    const escaped = mermaid
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;');
    expect(html).toContain(`<pre>${escaped}</pre>`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\burl\(http|src=/i);
    expect([...html.matchAll(/https?:\/\/[^"]*/g)].map((url) => url[0])).toEqual([
      'http://www.w3.org/2000/svg',
    ]);
  });

  it('refuses a format it does not draw', async () => {
    const result = await cli(['diagram', '--format', 'png']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "argument 'png' is invalid. Allowed choices are mermaid, markdown, svg, html.",
    );
  });
});

describe('diagram node ids', () => {
  const MODULE = `const on = (sql) => () => ({ sql, params: {} });
export default {
  deciders: {
    a: { category: 'a', streamId: () => 'x', initialState: () => 0, evolve: (s) => s, decide: { 'Pay.Now': () => [], 'Pay Now': () => [] } },
  },
  projections: [{
    name: 'p.1',
    version: 1,
    setup: ['CREATE TABLE t (x TEXT)'],
    on: {
      'Money.Deposited': on('SELECT 1'),
      'Money Deposited': on('SELECT 2'),
      Money_Deposited: on('SELECT 3'),
      'A<&>"B\\u0001': on('SELECT 4'),
    },
  }, { name: 'p 1', version: 1, setup: [], on: { 'Money.Deposited': on('SELECT 5') } }],
};
`;

  it('gives each distinct name its own node, in Mermaid and in the picture', async () => {
    writeFileSync(join(folder.dir, 'names.mjs'), MODULE);
    const mermaid = await cli(['--domain', 'names.mjs', 'diagram', '--no-log']);
    expect([mermaid.code, mermaid.stderr]).toEqual([0, '']);
    expect(mermaid.stdout).toBe(
      [
        'flowchart LR',
        '  subgraph commands',
        '    c_Pay_Now["Pay.Now"]',
        '    c_Pay_Now_2["Pay Now"]',
        '  end',
        '  subgraph events',
        '    e_Money_Deposited(["Money.Deposited"])',
        '    e_Money_Deposited_2(["Money Deposited"])',
        '    e_Money_Deposited_3(["Money_Deposited"])',
        '    e_A____B_(["A<&>#quot;B\u0001"])',
        '  end',
        '  subgraph projections',
        '    p_p_1[["p.1"]]',
        '    p_p_1_2[["p 1"]]',
        '  end',
        '  subgraph tables',
        '    t_t[("t")]',
        '  end',
        '  e_Money_Deposited --> p_p_1',
        '  e_Money_Deposited_2 --> p_p_1',
        '  e_Money_Deposited_3 --> p_p_1',
        '  e_A____B_ --> p_p_1',
        '  p_p_1 --> t_t',
        '  e_Money_Deposited --> p_p_1_2',
        '',
      ].join('\n'),
    );
    const svg = (await cli(['--domain', 'names.mjs', 'diagram', '--no-log', '--format', 'svg']))
      .stdout;
    expect(xmlProblem(svg)).toBeUndefined();
    const { nodes, edges } = picture(svg);
    expect([...nodes.values()].map((node) => node.label)).toEqual([
      'Pay.Now',
      'Pay Now',
      'Money.Deposited',
      'Money Deposited',
      'Money_Deposited',
      'A&lt;&amp;&gt;&quot;B\ufffd',
      // Ordered by where their arrows come from: p 1's one arrow starts higher up.
      'p 1',
      'p.1',
      't',
    ]);
    // The same ids as the Mermaid text gives the same names.
    expect([...nodes.keys()].slice(-3)).toEqual(['p_p_1_2', 'p_p_1', 't_t']);
    expect(new Set(edges.map((edge) => `${edge.from} → ${edge.to}`)).size).toBe(6);
  });
});
