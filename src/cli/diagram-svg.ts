import type { DomainFlow } from '../app/diagram.js';
import { FONT_SIZE, layoutFlow, type LaidNode } from './diagram-layout.js';
import { renderMermaid } from './diagram-mermaid.js';

// `diagram --format svg|html`: the flowchart drawn here, boxes and arrows in plain SVG, so a
// class sees the picture in any browser with no network and nothing to paste anywhere. The
// shapes follow Mermaid's for the same kinds: a command a box, an event a rounded one, a
// projection a box with inner sides, a table a cylinder.

const FILL = { command: '#dbeafe', event: '#fef3c7', projection: '#dcfce7', table: '#f3e8ff' };
const STROKE = '#334155';
const INK = '#0f172a';

/** A standalone SVG picture of the flow. */
export function renderSvg(flow: DomainFlow, title: string): string {
  const layout = layoutFlow(flow);
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="${FONT_SIZE}" fill="${INK}">`,
    `  <title>${escapeXml(title)}</title>`,
    '  <defs>',
    `    <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${STROKE}"/></marker>`,
    '  </defs>',
    `  <rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  for (const heading of layout.headings) {
    lines.push(
      `  <text class="heading" x="${heading.x}" y="${heading.y}" text-anchor="middle" font-weight="bold">${heading.text}</text>`,
    );
  }
  // Arrows first, so that the boxes sit on their ends.
  for (const { from, to } of layout.edges) {
    const [x1, y1] = [from.x + from.width, from.y + from.height / 2];
    const [x2, y2] = [to.x, to.y + to.height / 2];
    const bend = Math.round((x2 - x1) / 2);
    lines.push(
      `  <path class="edge" data-from="${from.id}" data-to="${to.id}" d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" fill="none" stroke="${STROKE}" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    );
  }
  for (const node of layout.nodes) {
    const text = escapeXml(node.name);
    // The baseline a third of an em below the middle centres the text in every renderer
    // (dominant-baseline is not honoured everywhere); a cylinder's face starts lower.
    const baseline =
      node.y + node.height / 2 + Math.round(FONT_SIZE * 0.35) + (node.kind === 'table' ? 3 : 0);
    lines.push(
      `  <g class="node ${node.kind}" id="${node.id}">`,
      `    <title>${node.kind} ${text}</title>`,
      `    ${shape(node)}`,
      `    <text x="${node.x + node.width / 2}" y="${baseline}" text-anchor="middle">${text}</text>`,
      '  </g>',
    );
  }
  lines.push('</svg>');
  return `${lines.join('\n')}\n`;
}

function shape(node: LaidNode): string {
  const { x, y, width: w, height: h } = node;
  const style = `fill="${FILL[node.kind]}" stroke="${STROKE}" stroke-width="1.2"`;
  switch (node.kind) {
    case 'command':
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" ${style}/>`;
    case 'event':
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${h / 2}" ${style}/>`;
    case 'projection':
      return (
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" ${style}/>` +
        `<path d="M${x + 6},${y} v${h} M${x + w - 6},${y} v${h}" stroke="${STROKE}" stroke-width="1.2"/>`
      );
    case 'table': {
      // A cylinder: the whole top ellipse, the sides, the front half of the bottom one.
      const [rx, ry] = [w / 2, 5];
      return (
        `<path d="M${x},${y + ry} a${rx},${ry} 0 0,0 ${w},0 a${rx},${ry} 0 0,0 ${-w},0 ` +
        `v${h - 2 * ry} a${rx},${ry} 0 0,0 ${w},0 v${-(h - 2 * ry)}" ${style}/>`
      );
    }
  }
}

/** A page that shows the picture, with the Mermaid source below it; no scripts, no network. */
export function renderHtml(flow: DomainFlow, title: string): string {
  const svg = renderSvg(flow, title).trimEnd();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: ${INK}; }
  svg { max-width: 100%; height: auto; }
  pre { background: #f8fafc; padding: 1rem; overflow: auto; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${svg}
<details>
<summary>Mermaid source</summary>
<pre>${escapeXml(renderMermaid(flow))}</pre>
</details>
</body>
</html>
`;
}

/**
 * Text as XML 1.0 holds it: the five markup characters as entities, and what XML cannot hold
 * at all (control characters, U+FFFE, U+FFFF, lone surrogates) as U+FFFD, so that a name from a
 * domain module never makes the picture fail to open.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!).replace(NOT_XML, '\ufffd');
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
