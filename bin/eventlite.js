#!/usr/bin/env node
'use strict';
// CommonJS (see bin/package.json): Node's ES module loader alone would cost a short command a
// share of its CPU (see scripts/startup/README.md). The bundled CLI is built by `npm run build` (tsc, then
// scripts/startup/).
require('../dist/bundle/eventlite.cjs').main();
