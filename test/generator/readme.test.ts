import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ACCEPTED_PARAMETERS } from "../../src/model/plugin-options.js";
import { VERSION as RUNTIME_VERSION } from "../../packages/runtime/src/version.js";
import { VERSION } from "../../src/version.js";
import { repoRoot } from "../support/paths.js";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const options = readFileSync(join(repoRoot, "docs/options.md"), "utf8");

describe("the README stays true", () => {
  it("documents every accepted parameter in docs/options.md, and no other", () => {
    const section = options.slice(options.indexOf("## Parameters"), options.indexOf("## Proto options"));
    const documented = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...ACCEPTED_PARAMETERS].sort());
  });

  it("names the test command that .ci/run runs", () => {
    expect(readme).toContain("npm ci && npm test");
    expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).toMatch(/^npm ci && npm test$/m);
  });

  it("has each package's version in its version.ts, the same for both", () => {
    const version = (dir: string): string => (JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as { version: string }).version;
    expect(VERSION).toBe(version("packages/protoc-gen-ts-otel"));
    expect(RUNTIME_VERSION).toBe(version("packages/runtime"));
    expect(RUNTIME_VERSION).toBe(VERSION);
  });
});
