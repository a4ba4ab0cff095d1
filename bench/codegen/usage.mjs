// Preloaded (`node --import`) into each plugin process the codegen benchmark runs:
// at exit, writes the process's own CPU time and peak RSS to $BENCH_USAGE_FILE, which
// Node gives a process about itself but not about its children.
import { writeFileSync } from "node:fs";

const out = process.env.BENCH_USAGE_FILE;
if (out !== undefined) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ cpuUs: user + system, maxRssKiB: process.resourceUsage().maxRSS }));
  });
}
