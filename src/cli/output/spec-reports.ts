import type { CaseResult } from '../../app/specs/spec-case.js';

export const REPORTERS = ['junit', 'tap'] as const;
export type Reporter = (typeof REPORTERS)[number];

export function renderSpecReport(reporter: Reporter, results: readonly CaseResult[]): string {
  return reporter === 'tap' ? renderTap(results) : renderJunit(results);
}

/**
 * TAP version 13: one test point per case, a YAML block for a failure. A reader takes each
 * line for a result, a plan or a `Bail out!`, so nothing from a spec may start a line: the
 * description is escaped (see tapDescription) and the messages are YAML double-quoted
 * scalars with every line break escaped (see yamlString).
 */
function renderTap(results: readonly CaseResult[]): string {
  const lines = ['TAP version 13', `1..${results.length}`];
  results.forEach((result, index) => {
    const description = tapDescription(`${result.file}:${result.line} ${result.name}`);
    lines.push(`${result.passed ? 'ok' : 'not ok'} ${index + 1} - ${description}`);
    if (result.passed) return;
    lines.push(
      '  ---',
      `  message: ${yamlString(result.message ?? 'failed')}`,
      `  at: ${yamlString(`${result.file}:${result.line}`)}`,
      '  ...',
    );
  });
  return `${lines.join('\n')}\n`;
}

// What could end a line for some reader: C0 and C1 controls, DEL, and Unicode's line and
// paragraph separators.
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A test point's description on one line: `#` would start a directive (SKIP, TODO) and `\`
 * escapes, so both are escaped as TAP 14 says; a newline is written `\n` and every other
 * control character `\uXXXX`, so a spec's name cannot forge a result or a `Bail out!`.
 */
function tapDescription(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('#', '\\#')
    .replace(LINE_BREAKING, (char) => SHORT_ESCAPES[char] ?? unicodeEscape(char));
}

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// What YAML 1.2 lets stand in a double-quoted scalar as it is: printable characters other
// than `"` and `\`, and no line breaks (U+0085, U+2028 and U+2029 break lines in YAML 1.1).
const YAML_ESCAPED =
  // eslint-disable-next-line no-control-regex
  /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]/gu;

/** `text` as a YAML double-quoted scalar on one line; a lone surrogate becomes U+FFFD. */
function yamlString(text: string): string {
  const escaped = text.replace(YAML_ESCAPED, (char) => {
    if (char === '"' || char === '\\') return `\\${char}`;
    if (char.length === 1 && char >= '\ud800' && char <= '\udfff') return '\\ufffd';
    return SHORT_ESCAPES[char] ?? unicodeEscape(char);
  });
  return `"${escaped}"`;
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
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
        `      <failure message="${xml(firstLine)}">${xmlText(message)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

// What XML 1.0 forbids anywhere, even as a character reference: C0 controls other than tab,
// newline and carriage return, U+FFFE and U+FFFF, and lone surrogates.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/gu;

/**
 * Text for an XML attribute value: markup escaped, and each character XML cannot hold written
 * as `\uXXXX`, so the report stays well-formed and still shows what was there. Tab, newline
 * and carriage return are character references: a parser would turn them into spaces.
 */
function xml(text: string): string {
  return xmlText(text).replace(/[\t\n]/g, (char) => XML_ESCAPES[char]!);
}

/** The same for an element's text, where tab and newline stand as they are. */
function xmlText(text: string): string {
  return text.replace(/[&<>"'\r]/g, (char) => XML_ESCAPES[char]!).replace(NOT_XML, unicodeEscape);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
