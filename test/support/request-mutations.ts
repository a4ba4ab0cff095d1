// Structural damage to a CodeGeneratorRequest, as a broken or foreign compiler could
// send it: shared by the fuzz test and the differential test against the plugin's
// previous implementation. Every mutation draws its choices from `next`, so a seed
// replays a run exactly.
import { clone } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, MethodDescriptorProtoSchema, ServiceDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, Edition, FileDescriptorProto } from "@bufbuild/protobuf/wkt";

/** A small seeded generator, so that a failing run can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(items: readonly T[], next: () => number): T {
  const item = items[Math.floor(next() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

export type Mutation = (request: CodeGeneratorRequest, next: () => number) => void;

function generatedFiles(request: CodeGeneratorRequest): FileDescriptorProto[] {
  return request.protoFile.filter((f) => request.fileToGenerate.includes(f.name) && f.service.length > 0);
}

const strangeNames = ["", "123abc", "my-method", "ünïcode", "__proto__", "constructor", "then", "Object", "a".repeat(300), "with space", "default"];

export const mutations: Readonly<Record<string, Mutation>> = {
  "dangling type reference": (r, next) => {
    const method = pick(pick(generatedFiles(r), next).service.flatMap((s) => s.method), next);
    method.inputType = ".nowhere.Missing";
  },
  "empty or strange service name": (r, next) => {
    pick(pick(generatedFiles(r), next).service, next).name = pick(strangeNames, next);
  },
  "empty or strange method name": (r, next) => {
    pick(pick(generatedFiles(r), next).service.flatMap((s) => s.method), next).name = pick(strangeNames, next);
  },
  "duplicated method": (r, next) => {
    const service = pick(pick(generatedFiles(r), next).service, next);
    const method = pick(service.method, next);
    service.method.push(clone(MethodDescriptorProtoSchema, method));
  },
  "duplicated service": (r, next) => {
    const file = pick(generatedFiles(r), next);
    file.service.push(clone(ServiceDescriptorProtoSchema, pick(file.service, next)));
  },
  "unknown edition": (r, next) => {
    const file = pick(generatedFiles(r), next);
    file.syntax = "editions";
    // Numbers outside the Edition enum, as a foreign or broken compiler could send.
    file.edition = pick([1, 2, 900, 1002, 9999, 99997, 2147483647], next) as Edition;
  },
  "unknown syntax": (r, next) => {
    pick(generatedFiles(r), next).syntax = pick(["proto4", "", "editions"], next);
  },
  "huge repetition": (r, next) => {
    const file = pick(generatedFiles(r), next);
    const service = pick(file.service, next);
    for (let i = 0; i < 200; i++) {
      const copy = clone(ServiceDescriptorProtoSchema, service);
      copy.name = `${service.name}${i}`;
      file.service.push(copy);
    }
  },
  "file to generate that is not in the request": (r) => {
    r.fileToGenerate.push("not/there.proto");
  },
  "dependency missing": (r, next) => {
    const file = pick(generatedFiles(r), next);
    r.protoFile = r.protoFile.filter((f) => !file.dependency.includes(f.name) || f.name.startsWith("google/"));
  },
  "service without methods": (r, next) => {
    pick(pick(generatedFiles(r), next).service, next).method = [];
  },
  "streaming flags flipped": (r, next) => {
    const method = pick(pick(generatedFiles(r), next).service.flatMap((s) => s.method), next);
    method.clientStreaming = !method.clientStreaming;
    method.serverStreaming = next() < 0.5;
  },
};

/** A copy of `base` with one seeded mutation applied, and the mutation's name. */
export function mutatedRequest(base: CodeGeneratorRequest, next: () => number): { name: string; request: CodeGeneratorRequest } {
  const request = clone(CodeGeneratorRequestSchema, base);
  const name = pick(Object.keys(mutations), next);
  mutations[name]?.(request, next);
  return { name, request };
}
