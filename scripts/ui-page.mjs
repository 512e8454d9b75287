// Copies the page of `eventlite ui` (src/ui/page/: HTML, CSS and browser JavaScript, written
// by hand and served as they are) to dist/ui/page/, where the server reads it from and where
// `npm pack` takes it (package.json "files" holds dist).
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist/ui/page`, { recursive: true, force: true });
cpSync(`${root}src/ui/page`, `${root}dist/ui/page`, { recursive: true });
