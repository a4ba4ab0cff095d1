// What client and server spans record of an error's google.rpc.Status details, and what
// they never record; docs/telemetry.md's "Rich error details" table names exactly that.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import {
  Code,
  DebugInfoSchema,
  ErrorInfoSchema,
  LocalizedMessageSchema,
  QuotaFailureSchema,
  RpcError,
} from "protoc-gen-ts-otel-runtime";
import { ERROR_DETAIL_ATTR } from "../../../packages/runtime/src/telemetry/semconv.js";
import { rejection } from "../../support/harness.js";
import { repoRoot } from "../../support/paths.js";
import { callSpans, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

/** Free text and request data a detail can hold: no attribute may carry any of it. */
const PRIVATE = ["user-42@example.com", "at handler.ts:12", "Bitte später erneut", "quota of project 42"];

function detailedError(): RpcError {
  return new RpcError(Code.RESOURCE_EXHAUSTED, "over quota", undefined, {
    details: [
      create(ErrorInfoSchema, { reason: "RATE_LIMITED", domain: "api.example.com", metadata: { user: PRIVATE[0] ?? "" } }),
      create(DebugInfoSchema, { stackEntries: [PRIVATE[1] ?? ""], detail: "debug" }),
      create(LocalizedMessageSchema, { locale: "de-DE", message: PRIVATE[2] ?? "" }),
      create(QuotaFailureSchema, { violations: [{ subject: "project:42", description: PRIVATE[3] ?? "" }] }),
    ],
  });
}

function detailAttributes(span: ReadableSpan): Record<string, unknown> {
  const names: string[] = Object.values(ERROR_DETAIL_ATTR);
  return Object.fromEntries(Object.entries(span.attributes).filter(([name]) => names.includes(name)));
}

/** The names in the table under docs/telemetry.md's "Rich error details" heading. */
function documentedNames(): string[] {
  const page = readFileSync(join(repoRoot, "docs/telemetry.md"), "utf8");
  const from = page.indexOf("### Rich error details");
  expect(from, "docs/telemetry.md has a Rich error details section").toBeGreaterThanOrEqual(0);
  const lines = page.slice(from).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const names: string[] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    names.push(/^\| `([^`]+)`/.exec(line)?.[1] ?? `(not a name: ${line})`);
  }
  return names;
}

describe("spans of a call whose error has details", () => {
  it.each(["new", "legacy"] as const)("record the detail types and ErrorInfo's reason and domain on both sides (%s)", async (semconv) => {
    const { client } = await start(
      {
        unary() {
          throw detailedError();
        },
      },
      { semconv },
    );
    await rejection(client.unary({}));
    const spans = callSpans(await tracing.ended(2));
    for (const span of [spans.client, spans.server]) {
      expect(detailAttributes(span)).toEqual({
        "google.rpc.status.detail_types": [
          "google.rpc.ErrorInfo",
          "google.rpc.DebugInfo",
          "google.rpc.LocalizedMessage",
          "google.rpc.QuotaFailure",
        ],
        "google.rpc.error_info.reason": "RATE_LIMITED",
        "google.rpc.error_info.domain": "api.example.com",
      });
      const values = JSON.stringify(Object.values(span.attributes));
      for (const text of PRIVATE) {
        expect(values, `${span.name} carries none of the details' free text`).not.toContain(text);
      }
    }
    // Documented names are exactly those recorded.
    expect(documentedNames().sort()).toEqual(Object.keys(detailAttributes(spans.client)).sort());
  });

  it("record no detail attribute for an error without details, nor for one whose details a client cannot read", async () => {
    const { client } = await start({
      unary(request) {
        if (request.text === "garbled") {
          const metadata = new Metadata();
          metadata.set("grpc-status-details-bin", Buffer.from([0xff, 0xff]));
          throw new RpcError(Code.ABORTED, "garbled", metadata);
        }
        throw new RpcError(Code.ABORTED, "plain");
      },
    });
    await rejection(client.unary({ text: "plain" }));
    await rejection(client.unary({ text: "garbled" }));
    for (const span of await tracing.ended(4)) {
      expect(detailAttributes(span), span.name).toEqual({});
    }
  });

  it("leave out reason and domain when the details have no ErrorInfo", async () => {
    const { client } = await start({
      unary() {
        throw new RpcError(Code.UNAVAILABLE, "later", undefined, { details: [create(LocalizedMessageSchema, { message: "later" })] });
      },
    });
    await rejection(client.unary({}));
    const spans = callSpans(await tracing.ended(2));
    for (const span of [spans.client, spans.server]) {
      expect(detailAttributes(span)).toEqual({ "google.rpc.status.detail_types": ["google.rpc.LocalizedMessage"] });
    }
  });
});
