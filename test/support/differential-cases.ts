// The requests the differential test replays: every standard and own parameter, good
// and bad values, hand-made broken requests and seeded structural mutations, all built
// from one frozen descriptor set (test/fixtures/previous-plugin/testdata.binpb) so that
// the recorded responses of the plugin's previous implementation stay comparable when
// the test protos change.
import { clone, create } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, Edition, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { mutatedRequest, random } from "./request-mutations.js";

export interface DifferentialCase {
  readonly id: string;
  readonly request: CodeGeneratorRequest;
}

const USER = ["user/v1/user.proto"];

/** Parameter strings, each run on the files beside it. */
const PARAMETER_CASES: readonly (readonly [string, readonly string[]])[] = [
  ["", USER],
  ["target=ts", USER],
  ["target=js", USER],
  ["target=dts", USER],
  ["target=ts+js", USER],
  ["target=js+dts+ts", USER],
  ["target=ts+ts", USER],
  ["target=ts,import_extension=none", USER],
  ["target=ts,import_extension=", USER],
  ["target=ts,import_extension=js", USER],
  ["target=ts,import_extension=.js", USER],
  ["target=ts,import_extension=ts", USER],
  ["target=ts,import_extension=.ts", USER],
  ["target=js,js_import_style=module", USER],
  ["target=js+dts,js_import_style=legacy_commonjs", USER],
  ["target=ts,js_import_style=legacy_commonjs", USER],
  ["target=ts,keep_empty_files=true", [...USER, "edge/messages_only/v1/messages.proto"]],
  ["target=ts,keep_empty_files=1", ["edge/messages_only/v1/messages.proto"]],
  ["target=ts,keep_empty_files=0", ["edge/messages_only/v1/messages.proto"]],
  ["target=ts,ts_nocheck=true", USER],
  ["target=ts,ts_nocheck=1", USER],
  ["target=ts,ts_nocheck=false", USER],
  ["target=ts,elide_plugin_version=true", USER],
  ["target=ts,elide_plugin_version=0", USER],
  ["target=ts,rewrite_imports=./user/**/*_pb.js:@acme/user-protos", USER],
  ["target=ts,rewrite_imports=./user/**/*.js:@acme/protos,rewrite_imports=./edge/**/*.js:@acme/edge", [...USER, "edge/imports/v1/imports.proto"]],
  ["target=ts,import_extension=js,rewrite_imports=./edge/common/**/*_pb.js:./vendored/common", ["edge/imports/v1/imports.proto"]],
  ["target=ts,bootstrap_wkt=true", ["edge/wkt/v1/wkt.proto"]],
  ["target=ts,bootstrap_wkt=false", ["edge/wkt/v1/wkt.proto"]],
  ["target=ts,runtime_import=@acme/otel-runtime", USER],
  ["target=ts,runtime_import= @acme/spaced ", USER],
  ["target=ts,import_extension=js", ["edge/hostile/v1/hostile.proto", "edge/nopackage.proto", "edge/comments/v1/comments.proto"]],
  ["target=js+dts,import_extension=js", ["edge/hostile/v1/hostile.proto", "edge/deprecated/v1/deprecated.proto"]],
  ["target=ts", ["shop/v1/orders.proto", "shop/v1/legacy_orders.proto", "tsotel/v1/options.proto"]],
  ["target=ts", ["edge/editions/v1/editions.proto", "edge/editions/v1/editions2024.proto", "edge/proto2/v1/legacy.proto"]],
  ["target=ts,", USER],
  [",target=ts", USER],
  // Bad values and unknown keys.
  ["target=java", USER],
  ["target=ts+", USER],
  ["target=", USER],
  ["target=TS", USER],
  ["target=ts,import_extension=.", USER],
  ["target=ts,import_extension=mjs", USER],
  ["target=js,js_import_style=esm", USER],
  ["target=ts,keep_empty_files=yes", USER],
  ["target=ts,ts_nocheck=maybe", USER],
  ["target=ts,elide_plugin_version=2", USER],
  ["target=ts,bootstrap_wkt=x", USER],
  ["target=ts,rewrite_imports=x", USER],
  ["target=ts,runtime_import=", USER],
  ["target=ts,runtime_import=   ", USER],
  ["target=ts,colour=blue", USER],
  ["target=ts,flag", USER],
  ["target=ts,colour=blue,size=large", USER],
  ["colour=blue,target=java", USER],
  ["target=java,colour=blue", USER],
  ["target=ts,runtime_import=,colour=blue", USER],
  // Protos the generator refuses.
  ["target=ts", ["refused/v1/refused.proto"]],
];

function requestFor(set: FileDescriptorSet, files: readonly string[], parameter: string): CodeGeneratorRequest {
  return create(CodeGeneratorRequestSchema, { fileToGenerate: [...files], parameter, protoFile: set.file });
}

function handMade(set: FileDescriptorSet): DifferentialCase[] {
  const cases: DifferentialCase[] = [];
  const add = (id: string, request: CodeGeneratorRequest): void => {
    cases.push({ id, request });
  };
  add("empty request", create(CodeGeneratorRequestSchema, {}));
  add("nothing to generate", create(CodeGeneratorRequestSchema, { parameter: "target=ts", protoFile: set.file }));
  add("file to generate missing", requestFor(set, ["user/v1/user.proto", "not/there.proto"], "target=ts"));
  const broken = create(FileDescriptorProtoSchema, {
    name: "broken.proto",
    package: "broken",
    syntax: "proto3",
    service: [{ name: "Broken", method: [{ name: "Call", inputType: ".broken.Missing", outputType: ".broken.Missing" }] }],
  });
  add("dangling input and output", create(CodeGeneratorRequestSchema, { fileToGenerate: ["broken.proto"], parameter: "target=ts", protoFile: [broken] }));
  for (const [edition, label] of [
    [Edition.EDITION_1_TEST_ONLY, "1_TEST_ONLY"],
    [Edition.EDITION_2023, "2023"],
    [Edition.EDITION_2024, "2024"],
    [Edition.EDITION_99997_TEST_ONLY, "99997_TEST_ONLY"],
    [Edition.EDITION_MAX, "MAX"],
    [Edition.EDITION_UNSTABLE, "UNSTABLE"],
  ] as const) {
    const request = requestFor(set, USER, "target=ts");
    const user = request.protoFile.find((f) => f.name === USER[0]);
    if (user === undefined) throw new Error("no user.proto in the frozen set");
    const copy = clone(FileDescriptorProtoSchema, user);
    copy.syntax = "editions";
    copy.edition = edition;
    request.protoFile = request.protoFile.map((f) => (f === user ? copy : f));
    add(`edition ${label}`, request);
  }
  return cases;
}

/** Every request of the differential test, with a stable id. */
export function differentialCases(set: FileDescriptorSet): DifferentialCase[] {
  const cases: DifferentialCase[] = PARAMETER_CASES.map(([parameter, files]) => ({
    id: `parameter "${parameter}" on ${files.join(" ")}`,
    request: requestFor(set, files, parameter),
  }));
  cases.push(...handMade(set));
  const base = requestFor(
    set,
    ["user/v1/user.proto", "tsotel/testing/v1/test_service.proto", "edge/multi/v1/multi.proto", "tsotel/v1/options.proto", "shop/v1/orders.proto"],
    "target=ts,import_extension=js",
  );
  const next = random(0xd1ff);
  for (let round = 0; round < 120; round++) {
    const { name, request } = mutatedRequest(base, next);
    cases.push({ id: `mutation ${String(round)}: ${name}`, request });
  }
  return cases;
}
