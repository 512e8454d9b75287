#!/usr/bin/env node
'use strict';
// CommonJS (see bin/package.json): Node's ES module loader alone would cost a short command a
// tenth of its CPU. The bundled CLI is built by `npm run build` (tsc, then
// scripts/bundle-cli.mjs).
require('../dist/bundle/eventlite.cjs').main();
