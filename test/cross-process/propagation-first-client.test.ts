// A process pays for the handler scope only once it has a generated client that
// propagates; its own process, since that is a process-wide switch.
import { describe, expect, it } from "vitest";
import { runTypeScript } from "./support/child-process.js";

describe("the handler scope", () => {
  it("is entered only once the process has a generated client that propagates", async () => {
    const { stdout } = await runTypeScript("test/cross-process/peers/propagation-first-client.ts");
    expect(JSON.parse(stdout)).toEqual(["outside", "outside", "inside", "inside"]);
  });
});
