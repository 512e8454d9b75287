// Loaded with `node --import` into a measured child: when the process exits, writes its peak
// resident set size (KiB, from getrusage) and CPU time (ms) as JSON to BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs }));
  });
}
