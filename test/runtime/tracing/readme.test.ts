// The tracing reference stays true: the attribute table of the telemetry contract
// (docs/telemetry.md) names only what semconv.ts defines, and says exactly which spans
// carry which attribute in which mode, as real calls show; docs/tracing.md's option table
// lists exactly the TracingOptions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SamplingDecision } from "@opentelemetry/sdk-trace-base";
import type { Sampler } from "@opentelemetry/sdk-trace-base";
import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { SemconvMode } from "protoc-gen-ts-otel-runtime";
import { ATTR, LEGACY_ATTR, MESSAGE_EVENT } from "../../../packages/runtime/src/telemetry/semconv.js";
import { rejection } from "../../support/harness.js";
import { repoRoot } from "../../support/paths.js";
import { metadataOf } from "./raw-client.js";
import { useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

const MODES = ["new", "legacy", "dup"] as const;
type Side = "client" | "server";

/** docs/tracing.md, the tracing reference the README links to. */
function tracingSection(): string {
  const page = `\n${readFileSync(join(repoRoot, "docs/tracing.md"), "utf8")}`;
  expect(page.indexOf("\n# Tracing\n"), "docs/tracing.md starts with its `# Tracing` heading").toBe(0);
  return page;
}

/** docs/telemetry.md, the telemetry contract, which lists the span attributes and events. */
function contractPage(): string {
  return readFileSync(join(repoRoot, "docs/telemetry.md"), "utf8");
}

/** The rows of the markdown table that follows `heading` in `section`, as cells. */
function tableAfter(section: string, heading: string): string[][] {
  const from = section.indexOf(heading);
  expect(from, `the tracing section has "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = section.slice(from).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split("|").map((cell) => cell.trim()));
  }
  return rows;
}

const unquote = (cell: string | undefined): string => /^`([^`]+)`$/.exec(cell ?? "")?.[1] ?? `(not a name: ${cell})`;

interface AttributeRow {
  readonly name: string;
  readonly set: string;
  readonly sides: Record<SemconvMode, readonly Side[]>;
}

function attributeRows(): AttributeRow[] {
  return tableAfter(contractPage(), "### Span attributes").map(([name, , set = "", ...modes]) => ({
    name: unquote(name),
    set,
    sides: Object.fromEntries(
      MODES.map((mode, i) => [mode, (modes[i] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")]),
    ) as Record<SemconvMode, Side[]>,
  }));
}

/** What semconv.ts names, with the metadata prefixes as `<prefix>.<key>`. */
function semconvNames(): Set<string> {
  const prefixes: string[] = [
    ATTR.RPC_REQUEST_METADATA,
    ATTR.RPC_RESPONSE_METADATA,
    LEGACY_ATTR.RPC_GRPC_REQUEST_METADATA,
    LEGACY_ATTR.RPC_GRPC_RESPONSE_METADATA,
  ];
  return new Set(
    [...Object.values(ATTR), ...Object.values(LEGACY_ATTR)].map((name) => (prefixes.includes(name) ? `${name}.<key>` : name)),
  );
}

/** The attribute names real spans carry, by side, and those the sampler saw, after an OK call and a failed one. */
async function emitted(mode: SemconvMode): Promise<{ carried: Record<Side, Set<string>>; sampled: Record<Side, Set<string>> }> {
  const sampled: Record<Side, Set<string>> = { client: new Set(), server: new Set() };
  const sampler: Sampler = {
    shouldSample(_context, _traceId, _name, kind, attributes) {
      for (const name of Object.keys(attributes)) sampled[kind === SpanKind.CLIENT ? "client" : "server"].add(name);
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    },
    toString: () => "recording",
  };
  tracing.useProvider({ sampler });
  const { client } = await start(
    {
      unary(request, context) {
        context.header.set("x-key", "response");
        if (request.text === "fail") {
          throw new Error("handler bug");
        }
        return {};
      },
    },
    { semconv: mode, tracing: { requestMetadata: ["x-key"], responseMetadata: ["x-key"] } },
  );
  await client.unary({}, { metadata: metadataOf(["x-key", "request"]) });
  await rejection(client.unary({ text: "fail" }, { metadata: metadataOf(["x-key", "request"]) }));
  const carried: Record<Side, Set<string>> = { client: new Set(), server: new Set() };
  for (const span of await tracing.ended(4)) {
    for (const name of Object.keys(span.attributes)) {
      carried[span.kind === SpanKind.CLIENT ? "client" : "server"].add(name.replace(/\.x-key$/, ".<key>"));
    }
  }
  return { carried, sampled };
}

describe("the README's tracing section", () => {
  it("names only attributes semconv.ts defines, each once", () => {
    const names = attributeRows().map((row) => row.name);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    const defined = semconvNames();
    expect(names.filter((name) => !defined.has(name))).toEqual([]);
  });

  it.each(MODES)("says which spans carry each attribute in %s mode, and which the sampler sees", async (mode) => {
    const rows = attributeRows();
    const { carried, sampled } = await emitted(mode);
    for (const side of ["client", "server"] as const) {
      const documented = rows.filter((row) => row.sides[mode].includes(side));
      expect([...carried[side]].sort(), `${side} spans, ${mode}`).toEqual(documented.map((row) => row.name).sort());
      expect([...sampled[side]].sort(), `what the sampler sees of ${side} spans, ${mode}`).toEqual(
        documented.filter((row) => row.set === "sampler").map((row) => row.name).sort(),
      );
    }
  });

  it("lists the message event's attributes", async () => {
    const documented = tableAfter(contractPage(), "### Message events").map(([name]) => unquote(name));
    const { client } = await start({ unary: () => ({}) }, { tracing: { messageEvents: true } });
    await client.unary({});
    const events = (await tracing.ended(2)).flatMap((span) => span.events);
    expect(new Set(events.map((e) => e.name))).toEqual(new Set([MESSAGE_EVENT.NAME]));
    const names = new Set(events.flatMap((e) => Object.keys(e.attributes ?? {})));
    expect([...names].sort()).toEqual(documented.sort());
    expect(documented.sort()).toEqual([MESSAGE_EVENT.ID, MESSAGE_EVENT.TYPE, MESSAGE_EVENT.UNCOMPRESSED_SIZE].sort());
  });

  it("documents every tracing option, and no other", () => {
    const options = readFileSync(join(repoRoot, "packages/runtime/src/telemetry/options.ts"), "utf8");
    const source = /^export interface TracingOptions \{$(.*?)^\}$/ms.exec(options)?.[1] ?? "";
    const declared = [...source.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(0);
    const documented = tableAfter(tracingSection(), "### Options").map(([name]) => unquote(name));
    expect(documented.sort()).toEqual(declared.sort());
  });
});
