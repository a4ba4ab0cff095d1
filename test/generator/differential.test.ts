import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { plugin } from "../../src/plugin.js";
import { differentialCases } from "../support/differential-cases.js";
import { repoRoot } from "../support/paths.js";

// The plugin on @bufbuild/protoplugin against the answers of its previous
// implementation (its own port of protoplugin), recorded before that port was removed:
// every parameter, good and bad, hand-made broken requests and seeded mutations, on a
// frozen descriptor set (test/fixtures/previous-plugin/README.md).

interface RecordedResponse {
  readonly error: string;
  readonly supportedFeatures: string;
  readonly minimumEdition: number;
  readonly maximumEdition: number;
  readonly files: readonly { readonly name: string; readonly content: string }[];
}

const fixtures = join(repoRoot, "test/fixtures/previous-plugin");
const recorded = JSON.parse(readFileSync(join(fixtures, "responses.json"), "utf8")) as {
  readonly responses: Readonly<Record<string, RecordedResponse>>;
  readonly contents: Readonly<Record<string, string>>;
};
const cases = differentialCases(fromBinary(FileDescriptorSetSchema, readFileSync(join(fixtures, "testdata.binpb"))));

// The one deliberate change since the recording: the runtime moved to its own package,
// so the default import is `protoc-gen-ts-otel-runtime` instead of
// `protoc-gen-ts-otel/runtime` (and TypeScript's CommonJS output names its binding
// after it). Undone here so that everything else must match byte for byte.
function asRecorded(content: string): string {
  return content.replaceAll('"protoc-gen-ts-otel-runtime"', '"protoc-gen-ts-otel/runtime"').replaceAll("protoc_gen_ts_otel_runtime_1", "runtime_1");
}

// The other deliberate change: the SLO parameters joined the accepted ones,
// which an unknown parameter's error lists.
function errorAsRecorded(error: string): string {
  return error.replace("runtime_import, slo, slo_buckets", "runtime_import");
}

const hash = (content: string): string => createHash("sha256").update(content).digest("hex").slice(0, 16);

describe("the plugin on protoplugin answers as the previous implementation did", () => {
  it("has a recorded answer for every case, and no other", () => {
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(recorded.responses).sort());
    expect(cases.length).toBeGreaterThan(150);
  });

  it.each(cases)("$id", ({ id, request }) => {
    const before = recorded.responses[id];
    if (before === undefined) throw new Error(`nothing recorded for ${id}`);
    const after = plugin.run(request);
    expect(errorAsRecorded(after.error)).toBe(before.error);
    expect(after.supportedFeatures.toString()).toBe(before.supportedFeatures);
    expect([after.minimumEdition, after.maximumEdition]).toEqual([before.minimumEdition, before.maximumEdition]);
    expect(after.file.map((f) => f.name)).toEqual(before.files.map((f) => f.name));
    after.file.forEach((file, i) => {
      const expected = before.files[i];
      if (expected === undefined) throw new Error(`${id}: no recorded file ${String(i)}`);
      const content = asRecorded(file.content);
      const text = recorded.contents[expected.content];
      if (text === undefined) {
        // Kept by hash only (over 20 kB).
        expect(hash(content), file.name).toBe(expected.content);
      } else {
        expect(content, file.name).toBe(text);
      }
    });
  });
});
