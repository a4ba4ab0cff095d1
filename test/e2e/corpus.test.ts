// The googleapis corpus, the google/cloud/*/v1 subset: generated with protoc-gen-es
// beside us and type-checked strict. `npm run corpus` runs every file with services.
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles, corpusWorkDir, runCorpus } from "../../scripts/corpus.js";

describe("googleapis corpus", () => {
  it("generates every google/cloud/*/v1 service, and all of it compiles strict", () => {
    const dir = corpusWorkDir();
    try {
      const result = runCorpus(corpusFiles(true), dir);
      expect(result.services).toBeGreaterThan(250);
      expect(result.generatedFiles).toBe(result.protoFiles);
      expect(result.diagnostics.slice(0, 10)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
