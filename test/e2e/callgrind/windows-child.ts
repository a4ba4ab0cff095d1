// Run under callgrind by bench-smoke.test.ts: two measured windows, the second doing
// three times the work of the first, marked as the bench's children mark theirs.
import { markWindow } from "../../../bench/runtime/callgrind.js";

function work(rounds: number): number {
  let length = 0;
  for (let i = 0; i < rounds; i++) {
    length += JSON.stringify({ i, list: [i, i + 1, String(i)] }).length;
  }
  return length;
}

// Compiled by V8 before the windows, so that both count the same code.
work(200_000);
let total = 0;
for (const rounds of [20_000, 60_000]) {
  markWindow("start");
  total += work(rounds);
  markWindow("end");
}
console.log(total);
