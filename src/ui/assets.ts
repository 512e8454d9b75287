import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The page's files, shipped in the package and read once when the server starts: no CDN, no
// network. The build copies src/ui/page/ to dist/ui/page/; from dist/ui/ and from the bundle
// in dist/bundle/ alike, that is ../ui/page/.
const PAGE = fileURLToPath(new URL('../ui/page/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Every file the page is made of, by the path it is served at. */
export const PAGE_FILES = ['index.html', 'ui.css', 'ui.js', 'render.js', 'panels.js'];

export interface Asset {
  type: string;
  body: Buffer;
}

export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of PAGE_FILES) {
    const body = readFileSync(`${PAGE}${name}`);
    const type = TYPES[name.slice(name.lastIndexOf('.'))]!;
    assets.set(name === 'index.html' ? '/' : `/${name}`, { type, body });
  }
  return assets;
}
