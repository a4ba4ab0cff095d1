#!/usr/bin/env node
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import { PLUGIN_NAME, plugin } from "./plugin.js";
import { pruneRequest } from "./request/prune-request.js";
import { VERSION } from "./version.js";

// The executable protoc and buf run: a CodeGeneratorRequest on stdin, the response
// on stdout. Whatever goes wrong ends in one line on stderr, never a stack trace.
//
// This replaces protoplugin's runNodeJs, for two reasons: it decodes the whole request,
// where this prunes what the plugin never reads before decoding (see
// src/request/prune-request.ts); and it answers a plugin that throws with a stack-less
// exit 1, where this plugin never throws (errors travel in the response, as protoc and
// buf expect) and keeps `process.exit` out of the way of pending writes.

async function main(args: readonly string[]): Promise<number> {
  if (args.includes("--version") || args.includes("-v")) {
    process.stdout.write(`${PLUGIN_NAME} ${VERSION}\n`);
    return 0;
  }
  if (args.length > 0) {
    return fail(
      `unexpected argument "${args[0] ?? ""}". This is a protoc plugin: run it through protoc (--ts-otel_out=DIR) or buf generate.`,
    );
  }
  if (process.stdin.isTTY) {
    return fail("expects a CodeGeneratorRequest on stdin. Run it through protoc (--ts-otel_out=DIR) or buf generate.");
  }
  const input = await readAll(process.stdin);
  let request: CodeGeneratorRequest;
  try {
    request = decodeRequest(input);
  } catch (err) {
    return fail(`stdin is not a CodeGeneratorRequest (${describe(err)}). Run this plugin through protoc or buf generate.`);
  }
  const response = plugin.run(request);
  await write(toBinary(CodeGeneratorResponseSchema, response));
  return 0;
}

// Most of a large request is source info and option extensions the plugin never
// reads; dropping them before decoding makes decoding several times faster (see
// src/request/prune-request.ts for what is kept). Whatever fails on the pruned bytes
// is decoded again unpruned, so a bad request is reported exactly as before.
function decodeRequest(input: Uint8Array): CodeGeneratorRequest {
  try {
    return fromBinary(CodeGeneratorRequestSchema, pruneRequest(input));
  } catch {
    return fromBinary(CodeGeneratorRequestSchema, input);
  }
}

function fail(message: string): number {
  process.stderr.write(`${PLUGIN_NAME}: ${message}\n`);
  return 1;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function write(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${PLUGIN_NAME}: internal error: ${describe(err)}\n`);
    process.exitCode = 1;
  },
);
