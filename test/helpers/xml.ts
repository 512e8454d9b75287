/**
 * Why `text` is not well-formed XML of the plain kind eventlite writes (elements, attributes
 * in double quotes, text, the five entities and numeric ones; an optional `<!doctype html>`
 * line before an HTML page), or undefined when it is. Not a full XML parser: enough to catch a
 * name that breaks out of its attribute or text, or a tag left open.
 */
export function xmlProblem(text: string): string | undefined {
  const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const CONTENT = /[^<]*/y;
  const forbidden = NOT_XML.exec(text);
  if (forbidden) return `a character XML cannot hold at ${forbidden.index}`;
  const open: string[] = [];
  let at = text.startsWith('<!doctype html>') ? '<!doctype html>'.length : 0;
  let roots = 0;
  while (at < text.length) {
    CONTENT.lastIndex = at;
    const content = CONTENT.exec(text)![0];
    const stray = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.exec(content);
    if (stray) return `a bare & at ${at + stray.index}`;
    if (open.length === 0 && content.trim() !== '') return `text outside the root at ${at}`;
    at += content.length;
    if (at >= text.length) break;
    TAG.lastIndex = at;
    const tag = TAG.exec(text);
    if (!tag) return `not a tag at ${at}: ${JSON.stringify(text.slice(at, at + 40))}`;
    const [whole, closing, name, attributes, selfClosing] = tag;
    for (const [, value] of attributes!.matchAll(/="([^"]*)"/g)) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/.test(value!)) return `a bare & in ${name} at ${at}`;
    }
    if (closing) {
      if (open.pop() !== name) return `</${name}> closes nothing open at ${at}`;
    } else if (!selfClosing && !VOID_HTML.has(name!.toLowerCase())) {
      if (open.length === 0) roots += 1;
      open.push(name!);
    } else if (open.length === 0) roots += 1;
    at += whole.length;
  }
  if (open.length > 0) return `<${open.at(-1)}> is never closed`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

// An HTML page's elements that have no end tag.
const VOID_HTML = new Set(['meta', 'link', 'br', 'img', 'input', 'hr']);

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u;
