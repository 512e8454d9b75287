#!/usr/bin/env node
// The bundled CLI (npm run build: tsc, then scripts/bundle-cli.mjs): one file starts faster
// than the ~150 modules tsc writes.
import { main } from '../dist/bundle/eventlite.mjs';

await main();
