import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCase, goldenCases } from "../support/cases.js";
import { repoRoot } from "../support/paths.js";

// `npm run golden:update` sets this; CI refuses it, so CI only ever compares.
const update = process.env["UPDATE_GOLDEN"] === "1";
if (update && process.env["CI"] !== undefined) {
  throw new Error("UPDATE_GOLDEN is not allowed in CI: goldens are updated by a developer and committed");
}

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe.each(goldenCases)("golden case $name", (c) => {
  const dir = join(repoRoot, "golden", c.name);

  it("matches golden/" + c.name + " file for file", () => {
    const generated = generateCase(c);
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      for (const [name, content] of generated) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
    }
    // Same list: a file we no longer generate (stale) fails as much as a missing one.
    expect(filesUnder(dir), "run `npm run golden:update` if the change is intended").toEqual(
      [...generated.keys()].sort(),
    );
    for (const [name, content] of generated) {
      expect(readFileSync(join(dir, name), "utf8"), `golden/${c.name}/${name}`).toBe(content);
    }
  });

  it("is byte-for-byte deterministic", () => {
    expect(generateCase(c)).toEqual(generateCase(c));
  });
});
