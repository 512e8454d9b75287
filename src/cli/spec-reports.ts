import type { CaseResult } from '../app/specs/spec-case.js';

export const REPORTERS = ['junit', 'tap'] as const;
export type Reporter = (typeof REPORTERS)[number];

export function renderSpecReport(reporter: Reporter, results: readonly CaseResult[]): string {
  return reporter === 'tap' ? renderTap(results) : renderJunit(results);
}

/** TAP version 13: one test point per case, a YAML block (JSON strings) for a failure. */
function renderTap(results: readonly CaseResult[]): string {
  const lines = ['TAP version 13', `1..${results.length}`];
  results.forEach((result, index) => {
    // `#` starts a directive (SKIP, TODO) in TAP: escaped in a description.
    const description = `${result.file}:${result.line} ${result.name}`.replaceAll('#', '\\#');
    lines.push(`${result.passed ? 'ok' : 'not ok'} ${index + 1} - ${description}`);
    if (result.passed) return;
    lines.push(
      '  ---',
      `  message: ${JSON.stringify(result.message ?? 'failed')}`,
      `  at: ${JSON.stringify(`${result.file}:${result.line}`)}`,
      '  ...',
    );
  });
  return `${lines.join('\n')}\n`;
}

/** JUnit XML as CI systems read it: one testsuite per spec file, one testcase per case. */
function renderJunit(results: readonly CaseResult[]): string {
  const files = new Map<string, CaseResult[]>();
  for (const result of results) files.set(result.file, [...(files.get(result.file) ?? []), result]);
  const failures = (cases: readonly CaseResult[]) => cases.filter((c) => !c.passed).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="eventlite test" tests="${results.length}" failures="${failures(results)}">`,
  ];
  for (const [file, cases] of files) {
    lines.push(
      `  <testsuite name="${xml(file)}" tests="${cases.length}" failures="${failures(cases)}">`,
    );
    for (const result of cases) {
      const attributes = `classname="${xml(file)}" name="${xml(result.name)}" file="${xml(file)}" line="${result.line}"`;
      if (result.passed) {
        lines.push(`    <testcase ${attributes}/>`);
        continue;
      }
      const message = result.message ?? 'failed';
      const firstLine = message.split('\n', 1)[0]!;
      lines.push(
        `    <testcase ${attributes}>`,
        `      <failure message="${xml(firstLine)}">${xml(message)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return (
    text
      // Control characters other than tab and newline are not allowed in XML 1.0 at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
  );
}
