// Text from the data (a value, a column name, a domain's message) reaches people's terminals.
// There a control character is an instruction, not text: ESC (and U+009B alone, C1's CSI)
// starts a sequence that can retitle, clear or rewrite the terminal; CR and BS overwrite what
// was printed. Human-readable output shows each one escaped, as JSON writes it (`\u001b`, `\n`);
// JSON itself leaves DEL and C1 raw, so they are escaped the same way in JSON shown to people.

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const DEL_AND_C1 = /[\u007f-\u009f]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

function escaped(char: string): string {
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line of text for a terminal: every control character escaped, newlines too. */
export function printable(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escaped) : text;
}

/** Text of several lines (a message, a note): control characters escaped, newlines kept. */
export function printableLines(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS_BUT_NEWLINE, escaped) : text;
}

/** JSON text for people: DEL and C1, which JSON.stringify leaves raw, escaped; still JSON. */
export function printableJson(json: string): string {
  return json.replace(DEL_AND_C1, escaped);
}
