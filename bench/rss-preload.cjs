// Loaded with `node --require` into a measured child: when the process exits, writes its peak
// resident set size (KiB, from getrusage) and CPU time (ms) as JSON to BENCH_RSS_FILE.
// CommonJS, so that measuring adds nothing to what is measured: an ES module preload would
// load Node's ES module loader into every child, a tenth of `node -e 0`'s CPU on its own.
'use strict';
const { writeFileSync } = require('node:fs');

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs }));
  });
}
