// The protobuf-es code the runtime ships (reflection, the rich error model) is what the
// workspace's protoc and protoc-gen-es generate from the pinned .proto files today.
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";

describe("the runtime's generated protos", () => {
  it("match fresh output of scripts/runtime-protos.mjs", () => {
    const result = run(process.execPath, ["scripts/runtime-protos.mjs", "--check"], { cwd: repoRoot });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
