// docs/telemetry.md, the telemetry contract, stays true: each of its tables is compared
// with the runtime's name tables (semconv.ts) and with what a real client and server
// create, unconnected: the OpenTelemetry instruments they ask a meter for, the Prometheus
// families and zero series they put in a registry, and the fields of logFields(). A name
// renamed on either side, an instrument or family added without its row, or a unit, help
// text, label or bucket changed fails here. The span attribute table is checked against
// real spans by test/runtime/tracing/readme.test.ts.
import { readFileSync } from "node:fs";
import { credentials, Server } from "@grpc/grpc-js";
import { ROOT_CONTEXT, createNoopMeter, trace } from "@opentelemetry/api";
import type { Meter, MeterProvider, MetricOptions } from "@opentelemetry/api";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PrometheusOptions, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient, TestServiceDefinition, addTestService } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { logFields, withCallMethod } from "../../packages/runtime/src/log-fields.js";
import { parseTarget } from "../../packages/runtime/src/telemetry/parse-target.js";
import {
  A66,
  A66_COUNT_BUCKETS,
  A66_LATENCY_BUCKETS_SECONDS,
  A66_SIZE_BUCKETS_BYTES,
  ATTR,
  DURATION_BUCKETS_SECONDS,
  ERROR_DETAIL_ATTR,
  GRPC_CODE_NAMES,
  LEGACY_ATTR,
  MESSAGE_EVENT,
  MESSAGE_SIZE_METRIC,
  METRIC,
  PROMETHEUS,
  PROMETHEUS_BUCKETS_SECONDS,
  PROMETHEUS_GRPC_TYPE,
  PROMETHEUS_LABEL,
  PY_PROMETHEUS_BUCKETS_SECONDS,
  PY_PROMETHEUS_GRPC_TYPE,
  SCOPE_NAME,
  SERVER_ERROR_CODES,
} from "../../packages/runtime/src/telemetry/semconv.js";
import type { SemconvMode } from "../../packages/runtime/src/telemetry/semconv.js";

const PAGE = readFileSync(new URL("../../docs/telemetry.md", import.meta.url), "utf8");

/** The text under the heading line `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const lines = PAGE.split("\n");
  const from = lines.indexOf(heading);
  if (from === -1) throw new Error(`docs/telemetry.md has no heading "${heading}"`);
  const rest = lines.slice(from + 1);
  const next = rest.findIndex((line) => line.startsWith("#"));
  return rest.slice(0, next === -1 ? undefined : next).join("\n");
}

type Row = Readonly<Record<string, string>>;

/** The markdown tables of `text`, each row keyed by its table's header cells. */
function tables(text: string): Row[][] {
  const found: Row[][] = [];
  const cells = (line: string): string[] => line.slice(1, -1).split("|").map((cell) => cell.trim());
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith("|") || lines[i - 1]?.startsWith("|") === true) continue;
    const header = cells(lines[i] ?? "");
    const rows: Row[] = [];
    for (let j = i + 2; lines[j]?.startsWith("|") === true; j++) {
      const values = cells(lines[j] ?? "");
      rows.push(Object.fromEntries(header.map((name, k) => [name, values[k] ?? ""])));
    }
    found.push(rows);
  }
  return found;
}

/** The one table under `heading` that has a `key` column. */
function table(heading: string, key: string): Row[] {
  const matching = tables(section(heading)).filter((rows) => rows[0] !== undefined && key in rows[0]);
  if (matching.length !== 1 || matching[0] === undefined) {
    throw new Error(`docs/telemetry.md has ${matching.length} tables with a "${key}" column under "${heading}", not one`);
  }
  return matching[0];
}

/** The `code` spans of a cell, in order. */
function names(cell: string | undefined): string[] {
  return [...(cell ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
}

/** The one `code` span of a cell. */
function nameOf(cell: string | undefined): string {
  const [name, ...more] = names(cell);
  expect(more, `one name in "${cell}"`).toEqual([]);
  return name ?? `(no name in "${cell}")`;
}

/** A list of bounds as the page writes them: `.005 .01 …`. */
function bounds(cell: string | undefined): number[] {
  return (cell ?? "").split(/\s+/).filter((s) => s !== "").map(Number);
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

const HANDLERS: TestServiceHandlers = {
  unary: () => ({}),
  async *serverStream() {
    yield* [];
  },
  clientStream: () => ({}),
  async *bidiStream() {
    yield* [];
  },
};

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  vi.unstubAllEnvs();
});

/** A server registration and a client of the test service with `telemetry`, never connected. */
function createBothSides(telemetry: TelemetryOptions): void {
  const server = new Server();
  addTestService(server, HANDLERS, { telemetry });
  const client = new TestServiceClient("127.0.0.1:1", credentials.createInsecure(), { telemetry });
  closers.push(() => {
    client.close();
    server.forceShutdown();
  });
}

interface CreatedInstrument {
  readonly name: string;
  readonly instrument: string;
  readonly unit: string | undefined;
  readonly buckets: readonly number[] | undefined;
  readonly meter: string;
}

/** A MeterProvider whose meters note every instrument they are asked for, and are otherwise no-ops. */
function recordingMeterProvider(): { meterProvider: MeterProvider; created: CreatedInstrument[] } {
  const created: CreatedInstrument[] = [];
  const noop = createNoopMeter();
  const meterOf = (meterName: string): Meter => {
    const noted = <T>(instrument: string, name: string, options: MetricOptions | undefined, make: () => T): T => {
      created.push({ name, instrument, unit: options?.unit, buckets: options?.advice?.explicitBucketBoundaries, meter: meterName });
      return make();
    };
    return {
      createHistogram: (name, options) => noted("histogram", name, options, () => noop.createHistogram(name, options)),
      createCounter: (name, options) => noted("counter", name, options, () => noop.createCounter(name, options)),
      createUpDownCounter: (name, options) => noted("UpDownCounter", name, options, () => noop.createUpDownCounter(name, options)),
      createGauge: (name, options) => noted("gauge", name, options, () => noop.createGauge(name, options)),
      createObservableGauge: (name, options) => noted("observable gauge", name, options, () => noop.createObservableGauge(name, options)),
      createObservableCounter: (name, options) => noted("observable counter", name, options, () => noop.createObservableCounter(name, options)),
      createObservableUpDownCounter: (name, options) =>
        noted("observable UpDownCounter", name, options, () => noop.createObservableUpDownCounter(name, options)),
      addBatchObservableCallback: (callback, observables) => {
        noop.addBatchObservableCallback(callback, observables);
      },
      removeBatchObservableCallback: (callback, observables) => {
        noop.removeBatchObservableCallback(callback, observables);
      },
    };
  };
  return { meterProvider: { getMeter: meterOf }, created };
}

/** The instruments a client and a server create with these metrics options, by name, each once. */
function instrumentsOf(semconv: SemconvMode | undefined, switches: { a66?: boolean; messageSizes?: boolean; activeRequests?: boolean }): Map<string, CreatedInstrument> {
  const { meterProvider, created } = recordingMeterProvider();
  createBothSides({ tracing: false, prometheus: false, metrics: { meterProvider, ...switches }, ...(semconv === undefined ? {} : { semconv }) });
  const byName = new Map(created.map((i) => [i.name, i]));
  expect(byName.size, "no instrument is created twice").toBe(created.length);
  return byName;
}

interface Family {
  readonly type: string;
  readonly help: string;
  /** Label names of its series, histogram `le` aside. */
  readonly labels: readonly string[];
  /** Every value each label takes among the zero series. */
  readonly values: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The families and zero series a client and a server put in a fresh registry. */
async function familiesOf(options: PrometheusOptions): Promise<Map<string, Family>> {
  const registry = new Registry();
  createBothSides({ tracing: false, metrics: false, prometheus: { ...options, registry } });
  const families = new Map<string, Family>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const values = new Map<string, Set<string>>();
    for (const value of metric.values) {
      for (const [label, v] of Object.entries(value.labels)) {
        let set = values.get(label);
        if (set === undefined) values.set(label, (set = new Set()));
        set.add(String(v));
      }
    }
    const labels = [...values.keys()].filter((label) => label !== "le");
    families.set(metric.name, { type: String(metric.type), help: metric.help, labels, values });
  }
  return families;
}

const CALL_KINDS = Object.keys(PROMETHEUS_GRPC_TYPE) as (keyof typeof PROMETHEUS_GRPC_TYPE)[];

describe("docs/telemetry.md, Conventions", () => {
  const modes = table("## Conventions", "`semconv`");
  const durations = (instruments: Map<string, CreatedInstrument>): string[] =>
    sorted([...instruments.keys()].filter((name) => name.startsWith("rpc.") && name.endsWith("duration")));
  const durationsOf = (mode: string): string[] =>
    sorted(
      table("## OpenTelemetry metrics", "name")
        .filter((row) => names(row["emitted"]).includes(mode))
        .map((row) => nameOf(row["name"])),
    );

  it("lists the three modes, and each emits the duration instruments the metrics table gives it", () => {
    expect(modes.map((row) => nameOf(row["`semconv`"]))).toEqual(["new", "legacy", "dup"]);
    for (const mode of ["new", "legacy", "dup"] as const) {
      expect(durations(instrumentsOf(mode, {})), mode).toEqual(durationsOf(mode));
    }
  });

  it("is chosen by OTEL_SEMCONV_STABILITY_OPT_IN as the table says, and without it the new conventions", () => {
    let checked = 0;
    for (const row of modes) {
      const mode = nameOf(row["`semconv`"]);
      for (const choice of names(row["chosen by"])) {
        const env = /^OTEL_SEMCONV_STABILITY_OPT_IN=(.+)$/.exec(choice)?.[1];
        if (env === undefined) continue;
        vi.stubEnv("OTEL_SEMCONV_STABILITY_OPT_IN", env);
        expect(durations(instrumentsOf(undefined, {})), `OTEL_SEMCONV_STABILITY_OPT_IN=${env}`).toEqual(durationsOf(mode));
        checked++;
      }
    }
    expect(checked).toBe(2);
    vi.stubEnv("OTEL_SEMCONV_STABILITY_OPT_IN", "");
    expect(durations(instrumentsOf(undefined, {}))).toEqual(durationsOf("new"));
    expect(modes.find((row) => nameOf(row["`semconv`"]) === "new")?.["chosen by"]).toContain("neither");
  });

  it("names the instrumentation scope of every tracer and meter", () => {
    expect(names(section("## Conventions"))).toContain(SCOPE_NAME);
    expect(new Set([...instrumentsOf("dup", { a66: true, messageSizes: true, activeRequests: true }).values()].map((i) => i.meter))).toEqual(new Set([SCOPE_NAME]));
  });
});

describe("docs/telemetry.md, Spans", () => {
  it("lists every attribute of the stable conventions, and only names semconv.ts defines", () => {
    const prefixed = (name: string): string =>
      [ATTR.RPC_REQUEST_METADATA, ATTR.RPC_RESPONSE_METADATA, LEGACY_ATTR.RPC_GRPC_REQUEST_METADATA, LEGACY_ATTR.RPC_GRPC_RESPONSE_METADATA].includes(name as never)
        ? `${name}.<key>`
        : name;
    const documented = table("### Span attributes", "attribute").map((row) => nameOf(row["attribute"]));
    expect(new Set(documented).size).toBe(documented.length);
    const defined = new Set([...Object.values(ATTR), ...Object.values(LEGACY_ATTR)].map(prefixed));
    expect(documented.filter((name) => !defined.has(name))).toEqual([]);
    expect(Object.values(ATTR).map(prefixed).filter((name) => !documented.includes(name))).toEqual([]);
  });

  it("reads server addresses from targets as the target table says", () => {
    const rows = table("### Server address and port", "target");
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const target = nameOf(row["target"]);
      const port = row["`server.port`"] ?? "";
      expect(parseTarget(target), target).toEqual(port === "" ? { address: nameOf(row["`server.address`"]) } : { address: nameOf(row["`server.address`"]), port: Number(port) });
    }
  });

  it("gives the server's error codes as the runtime counts them, and every code but OK on the client", () => {
    const rows = table("### Span status", "side");
    // The second column, whatever its header says.
    const codesOf = (side: string): string => Object.values(rows.find((row) => row["side"] === side) ?? {})[1] ?? "";
    expect(names(codesOf("server"))).toEqual(SERVER_ERROR_CODES.map((code) => GRPC_CODE_NAMES[code]?.canonical));
    expect(codesOf("client")).toBe("every code but `OK`");
  });

  it("lists exactly the error detail attributes", () => {
    expect(sorted(table("### Rich error details", "attribute").map((row) => nameOf(row["attribute"])))).toEqual(sorted(Object.values(ERROR_DETAIL_ATTR)));
  });

  it("names the message event, its attributes and its types", () => {
    const text = section("### Message events");
    expect(names(text)).toContain(MESSAGE_EVENT.NAME);
    expect(sorted(table("### Message events", "event attribute").map((row) => nameOf(row["event attribute"])))).toEqual(
      sorted([MESSAGE_EVENT.TYPE, MESSAGE_EVENT.ID, MESSAGE_EVENT.UNCOMPRESSED_SIZE]),
    );
    expect(names(table("### Message events", "event attribute")[0]?.["value"])).toEqual([MESSAGE_EVENT.SENT, MESSAGE_EVENT.RECEIVED]);
  });
});

describe("docs/telemetry.md, Status codes", () => {
  it("spells every code as the runtime does, by name and as grpc-go", () => {
    const rows = table("## Status codes", "code");
    expect(rows.map((row) => [Number(row["code"]), nameOf(row["name"]), nameOf(row["grpc-go"])])).toEqual(
      GRPC_CODE_NAMES.map((spelling, code) => [code, spelling.canonical, spelling.go]),
    );
  });
});

describe("docs/telemetry.md, OpenTelemetry metrics", () => {
  const rows = table("## OpenTelemetry metrics", "name");
  const bucketRows = table("## OpenTelemetry metrics", "upper bounds");
  const attributeSets = table("## OpenTelemetry metrics", "set");
  const SWITCHES = ["a66", "messageSizes", "activeRequests"] as const;

  it("lists every instrument semconv.ts names, once", () => {
    const documented = rows.map((row) => nameOf(row["name"]));
    expect(new Set(documented).size).toBe(documented.length);
    expect(sorted(documented)).toEqual(
      sorted([...Object.values(METRIC), ...Object.values(MESSAGE_SIZE_METRIC), ...Object.entries(A66).filter(([key]) => !key.startsWith("ATTR_")).map(([, name]) => name)]),
    );
  });

  it("gives each instrument the kind, unit and bucket advice a client and a server create it with", () => {
    const created = instrumentsOf("dup", { a66: true, messageSizes: true, activeRequests: true });
    expect(sorted(created.keys())).toEqual(sorted(rows.map((row) => nameOf(row["name"]))));
    const advice = new Map(bucketRows.map((row) => [row["buckets"] ?? "", bounds(row["upper bounds"])]));
    for (const row of rows) {
      const name = nameOf(row["name"]);
      const instrument = created.get(name);
      expect(instrument?.instrument, name).toBe(row["instrument"]);
      expect(instrument?.unit, name).toBe(nameOf(row["unit"]));
      const buckets = row["buckets"] ?? "";
      expect(instrument?.buckets, name).toEqual(buckets === "" ? undefined : advice.get(buckets));
    }
  });

  it("says which mode or switch brings each instrument", () => {
    for (const mode of ["new", "legacy", "dup"] as const) {
      for (const on of [undefined, ...SWITCHES]) {
        const expected = rows.filter((row) => names(row["emitted"]).some((e) => e === mode || e === on));
        const switches = on === undefined ? {} : { [on]: true };
        expect(sorted(instrumentsOf(mode, switches).keys()), `${mode}, ${on ?? "no switch"} on`).toEqual(sorted(expected.map((row) => nameOf(row["name"]))));
      }
    }
  });

  it("writes out the runtime's bucket advice", () => {
    expect(Object.fromEntries(bucketRows.map((row) => [row["buckets"] ?? "", bounds(row["upper bounds"])]))).toEqual({
      duration: DURATION_BUCKETS_SECONDS,
      "A66 latency": A66_LATENCY_BUCKETS_SECONDS,
      "A66 size": A66_SIZE_BUCKETS_BYTES,
      "A66 count": A66_COUNT_BUCKETS,
    });
  });

  it("builds attribute sets only of names semconv.ts defines, and uses only those sets", () => {
    const defined = new Set<string>([...Object.values(ATTR), ...Object.values(LEGACY_ATTR), A66.ATTR_METHOD, A66.ATTR_STATUS, A66.ATTR_TARGET]);
    const sets = new Set(attributeSets.map((row) => row["set"]));
    for (const row of attributeSets) {
      expect(names(row["attributes"]).filter((name) => !defined.has(name)), row["set"]).toEqual([]);
    }
    expect(new Set(attributeSets.flatMap((row) => names(row["attributes"])))).toEqual(
      new Set([...Object.values(ATTR).filter((n) => !n.endsWith(".metadata") && !n.startsWith("network.")), LEGACY_ATTR.RPC_SYSTEM, LEGACY_ATTR.RPC_SERVICE, LEGACY_ATTR.RPC_GRPC_STATUS_CODE, A66.ATTR_METHOD, A66.ATTR_STATUS, A66.ATTR_TARGET]),
    );
    for (const row of rows) {
      const used = (row["attributes"] ?? "").split(",").map((s) => s.trim());
      expect(used.filter((set) => !sets.has(set)), nameOf(row["name"])).toEqual([]);
    }
  });
});

describe("docs/telemetry.md, Prometheus metrics", () => {
  const families = table("## Prometheus metrics", "name");
  const legacy = table("### py-grpc-prometheus legacy names", "name");
  const kinds = table("### Labels", "call kind");
  const buckets = table("### Labels", "histogram buckets");

  /** The page's rows as what a registry should hold. */
  const expectedFamilies = (rows: readonly Row[]): [string, string, string, string[]][] =>
    rows.map((row) => [nameOf(row["name"]), row["type"] ?? "", row["help"] ?? "", sorted(names(row["labels"]))]);
  const actualFamilies = (registry: Map<string, Family>): [string, string, string, string[]][] =>
    [...registry].map(([name, family]) => [name, family.type, family.help, sorted(family.labels)]);
  const byName = (a: [string, ...unknown[]], b: [string, ...unknown[]]): number => a[0].localeCompare(b[0]);

  it("lists every family name semconv.ts defines, in one of its two tables", () => {
    expect(sorted(new Set([...families, ...legacy].map((row) => nameOf(row["name"]))))).toEqual(sorted(Object.values(PROMETHEUS)));
  });

  it("gives each family the type, help text and labels a client and a server register it with", async () => {
    const registry = await familiesOf({ messageHistograms: true, inFlight: true });
    expect(actualFamilies(registry).sort(byName)).toEqual(expectedFamilies(families).sort(byName));
  });

  it("says which option removes or brings which family", async () => {
    const optional = (option: string): string[] => families.filter((row) => (row["option"] ?? "").includes(option)).map((row) => nameOf(row["name"]));
    const all = families.map((row) => nameOf(row["name"]));
    const present = async (options: PrometheusOptions): Promise<string[]> => sorted((await familiesOf(options)).keys());
    expect(await present({})).toEqual(sorted(all.filter((name) => !optional("messageHistograms").includes(name) && !optional("inFlight").includes(name))));
    expect(await present({ handlingHistogram: false, messageHistograms: true, inFlight: true })).toEqual(sorted(all.filter((name) => !optional("handlingHistogram").includes(name))));
  });

  it("gives the legacy names their types, help texts and labels, and keeps the families it does not list", async () => {
    const registry = await familiesOf({ legacyNames: true });
    const mainNames = new Set(families.map((row) => nameOf(row["name"])));
    const replaced = new Set(legacy.map((row) => names(row["instead of"]).find((name) => mainNames.has(name)) ?? nameOf(row["name"])));
    const kept = families.filter((row) => (row["option"] ?? "") === "" && !replaced.has(nameOf(row["name"])));
    expect(actualFamilies(registry).sort(byName)).toEqual(expectedFamilies([...kept, ...legacy]).sort(byName));
  });

  it("spells grpc_type and the codes as the zero series do, in both spellings", async () => {
    const [main, py] = [await familiesOf({}), await familiesOf({ legacyNames: true })];
    const labelValues = (registry: Map<string, Family>, family: string, label: string): string[] => sorted(registry.get(family)?.values.get(label) ?? []);
    expect(kinds.map((row) => nameOf(row["`grpc_type`"]))).toEqual(CALL_KINDS.map((kind) => PROMETHEUS_GRPC_TYPE[kind]));
    expect(kinds.map((row) => nameOf(row["with `legacyNames`"]))).toEqual(CALL_KINDS.map((kind) => PY_PROMETHEUS_GRPC_TYPE[kind]));
    expect(labelValues(main, PROMETHEUS.SERVER_STARTED, PROMETHEUS_LABEL.TYPE)).toEqual(sorted(kinds.map((row) => nameOf(row["`grpc_type`"]))));
    expect(labelValues(py, PROMETHEUS.SERVER_STARTED, PROMETHEUS_LABEL.TYPE)).toEqual(sorted(kinds.map((row) => nameOf(row["with `legacyNames`"]))));
    const codes = table("## Status codes", "code");
    expect(labelValues(main, PROMETHEUS.SERVER_HANDLED, PROMETHEUS_LABEL.CODE)).toEqual(sorted(codes.map((row) => nameOf(row["grpc-go"]))));
    expect(labelValues(py, PROMETHEUS.LEGACY_CLIENT_COMPLETED, PROMETHEUS_LABEL.LEGACY_CODE)).toEqual(sorted(codes.map((row) => nameOf(row["name"]))));
  });

  it("gives the histograms' buckets as the runtime defines and registers them", async () => {
    const listed = Object.fromEntries(buckets.map((row) => [row["histogram buckets"] ?? "", bounds(row["upper bounds, seconds"])]));
    expect(listed).toEqual({ default: PROMETHEUS_BUCKETS_SECONDS, "`legacyNames: true`": PY_PROMETHEUS_BUCKETS_SECONDS });
    const le = async (options: PrometheusOptions, family: string): Promise<number[]> =>
      [...((await familiesOf(options)).get(family)?.values.get("le") ?? [])].filter((v) => v !== "+Inf").map(Number).sort((a, b) => a - b);
    expect(await le({}, PROMETHEUS.SERVER_HANDLING_SECONDS)).toEqual(listed["default"]);
    expect(await le({ legacyNames: true }, PROMETHEUS.LEGACY_SERVER_HANDLED_LATENCY_SECONDS)).toEqual(listed["`legacyNames: true`"]);
  });
});

describe("docs/telemetry.md, Log fields", () => {
  it("lists exactly the fields of a handler's log record under a span", () => {
    const span = trace.wrapSpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 });
    const context = withCallMethod(trace.setSpan(ROOT_CONTEXT, span), TestServiceDefinition.methods.unary);
    expect(sorted(table("## Log fields", "field").map((row) => nameOf(row["field"])))).toEqual(sorted(Object.keys(logFields(context))));
  });
});
