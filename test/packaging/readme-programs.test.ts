// The README's "Generate" and "Serve, call, and see the telemetry" as a user follows
// them: a fresh project outside this repository with the packed packages installed by
// the README's Install commands, its buf.yaml and buf.gen.yaml (with a proto that
// imports the plugin's options), its telemetry.ts, server.ts and client.ts as written,
// compiled and run as separate processes. Whether the OTLP endpoint answers, refuses
// connections or accepts and never answers, the client's call succeeds and SIGTERM
// ends the server with exit code 0 within a few seconds, with no unhandled rejection.
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { README_PROGRAMS, installAsReadmeSays, otlpEnv, readmeBlock, startOtlpReceiver, startServer } from "../support/consumer-project.js";
import { cleanEnv, packWorkingTree, sh } from "../support/npm-project.js";
import type { OtlpReceiver } from "../support/consumer-project.js";
import { repoRoot } from "../support/paths.js";
import { freePort } from "../support/processes.js";
import { listenLocal } from "../support/listen.js";
import { useTempDirs } from "../support/temp-dirs.js";

/** What telemetry.ts may say on stderr when its last export fails: one line, never a stack. */
const NOT_SENT = /^telemetry not sent: .+$/;
/** telemetry.ts waits 2 s at most for its last export; the rest is a process ending on busy cores. */
const EXIT_BOUND_MS = 5_000;
/** server.ts gives calls in flight 5 s before it cancels them. */
const DRAIN_MS = 5_000;

let app: string;
const tempDir = useTempDirs();

beforeAll(() => {
  const work = tempDir("readme");
  app = join(work, "app");
  installAsReadmeSays(app, packWorkingTree(work));
  for (const proto of ["user/v1/user.proto", "shop/v1/orders.proto"]) {
    mkdirSync(join(app, "proto", proto, ".."), { recursive: true });
    cpSync(join(repoRoot, "testdata/proto", proto), join(app, "proto", proto));
  }
  writeFileSync(join(app, "buf.yaml"), readmeBlock("# buf.yaml"));
  writeFileSync(join(app, "buf.gen.yaml"), readmeBlock("# buf.gen.yaml"));
  sh("npx", ["buf", "generate"], app);

  mkdirSync(join(app, "src"), { recursive: true });
  for (const name of README_PROGRAMS) {
    writeFileSync(join(app, `src/${name}.ts`), readmeBlock(`// ${name}.ts`));
  }
  // The "your UserServiceHandlers" server.ts imports, and a call that stays open.
  cpSync(join(repoRoot, "test/fixtures/consumer/src/handlers.ts"), join(app, "src/handlers.ts"));
  for (const fixture of ["in-flight-client.ts", "scrape-once.ts"]) {
    cpSync(join(repoRoot, "test/fixtures/readme-programs", fixture), join(app, "src", fixture));
  }
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  const sources = ["src/server.ts", "src/client.ts", "src/in-flight-client.ts", "src/scrape-once.ts", "src/gen/shop/v1/orders_otel.ts"];
  sh(process.execPath, [tsc, "--strict", "--outDir", "dist", "--rootDir", "src", "--module", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", "node", "--typeRoots", join(repoRoot, "node_modules/@types"), ...sources], app);
}, 600_000);

describe("the README's buf.yaml and buf.gen.yaml", () => {
  it("generate a proto that imports tsotel/v1/options.proto, with the options' own messages", () => {
    const generated = readdirSync(join(app, "src/gen"), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).sort();
    expect(generated).toEqual(["shop/v1/orders_otel.ts", "shop/v1/orders_pb.ts", "tsotel/v1/options_pb.ts", "user/v1/user_otel.ts", "user/v1/user_pb.ts"]);
  });
});

/** A TCP server that accepts connections and never answers: a collector that hangs. */
async function startSilentEndpoint(): Promise<{ endpoint: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  const port = await listenLocal(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The environment of a README program exporting to `endpoint`, metrics every second (as in the issue that asked for this). */
function programEnv(service: string, endpoint: string): NodeJS.ProcessEnv {
  return { ...otlpEnv(service, endpoint), OTEL_METRIC_EXPORT_INTERVAL: "1000" };
}

/** Lines of stderr that are not telemetry.ts's own one-line report. */
function unexpectedLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "" && !NOT_SENT.test(line));
}

describe("the README's server.ts and client.ts, as separate processes", () => {
  let receiver: OtlpReceiver;
  let silent: Awaited<ReturnType<typeof startSilentEndpoint>>;
  let refused: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    silent = await startSilentEndpoint();
    refused = `http://127.0.0.1:${String(await freePort())}`;
  });
  afterAll(async () => {
    await receiver.close();
    await silent.close();
  });

  it.each([
    ["answers", () => receiver.endpoint],
    ["refuses connections", () => refused],
    ["accepts and never answers", () => silent.endpoint],
  ])("when the OTLP endpoint %s: the call succeeds, and SIGTERM ends the server with 0 within the bound", async (what, endpoint) => {
    const server = await startServer(app, programEnv("readme-server", endpoint()));
    let client: { stdout: string; stderr: string };
    try {
      client = await promisify(execFile)(process.execPath, ["dist/client.js", `localhost:${server.port}`], { cwd: app, env: programEnv("readme-client", endpoint()), timeout: 30_000 });
    } finally {
      const stopped = await server.stop();
      console.log(`OTLP endpoint ${what}: the server exited ${String(stopped.code)} ${Math.round(stopped.ms)} ms after SIGTERM`);
      expect({ code: stopped.code, signal: stopped.signal }, stopped.stderr).toEqual({ code: 0, signal: null });
      expect(stopped.ms, "milliseconds from SIGTERM to exit").toBeLessThan(EXIT_BOUND_MS);
      expect(unexpectedLines(stopped.stderr), "the server's stderr").toEqual([]);
    }
    expect(client.stdout).toBe("Ada\n");
    expect(unexpectedLines(client.stderr), "the client's stderr").toEqual([]);
  }, 90_000);

  it("exports both sides' spans of one trace and their call durations to the endpoint that answers, quietly", async () => {
    receiver.spans.length = 0;
    receiver.metrics.length = 0;
    const server = await startServer(app, otlpEnv("readme-server", receiver.endpoint));
    let client: { stdout: string; stderr: string };
    try {
      client = await promisify(execFile)(process.execPath, ["dist/client.js", `localhost:${server.port}`], { cwd: app, env: otlpEnv("readme-client", receiver.endpoint), timeout: 30_000 });
    } finally {
      const stopped = await server.stop();
      expect({ code: stopped.code, signal: stopped.signal, stderr: stopped.stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    }
    expect(client).toEqual({ stdout: "Ada\n", stderr: "" });
    const [clientSpan, serverSpan, ...more] = receiver.spans.toSorted((a, b) => a.service.localeCompare(b.service));
    expect(clientSpan).toMatchObject({ service: "readme-client", name: "user.v1.UserService/GetUser", kind: 3 }); // SPAN_KIND_CLIENT
    // The server's span is the client's child: trace context went through the metadata.
    expect(serverSpan).toMatchObject({ service: "readme-server", name: "user.v1.UserService/GetUser", kind: 2, traceId: clientSpan?.traceId, parentSpanId: clientSpan?.spanId });
    expect(more).toEqual([]);
    expect(receiver.metrics).toEqual(
      expect.arrayContaining([
        { service: "readme-client", name: "rpc.client.call.duration" },
        { service: "readme-server", name: "rpc.server.call.duration" },
      ]),
    );
  }, 90_000);

  it("the hanging endpoint was really tried, and held", () => {
    expect(silent.connections()).toBeGreaterThan(0);
  });

  it("lets a call in flight run for 5 s after SIGTERM, then cancels it and exits 0", async () => {
    const server = await startServer(app, programEnv("readme-server", silent.endpoint));
    const caller = spawn(process.execPath, ["dist/in-flight-client.js", `localhost:${server.port}`], { cwd: app, env: cleanEnv, stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: caller.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<string | undefined> => (await lines.next()).value as string | undefined;
    try {
      expect(await next()).toBe("open");
    } catch (error) {
      caller.kill("SIGKILL");
      throw error;
    }
    const stopped = await server.stop();
    console.log(`a call in flight: the server exited ${String(stopped.code)} ${Math.round(stopped.ms)} ms after SIGTERM`);
    expect({ code: stopped.code, signal: stopped.signal }, stopped.stderr).toEqual({ code: 0, signal: null });
    expect(stopped.ms, "the drain bound was waited out").toBeGreaterThanOrEqual(DRAIN_MS - 50);
    expect(stopped.ms, "then telemetry for 2 s at most").toBeLessThan(DRAIN_MS + EXIT_BOUND_MS);
    expect(unexpectedLines(stopped.stderr)).toEqual([]);
    expect(await next()).toBe("ended CANCELLED");
  }, 90_000);
});

// Last: it replaces the project's prom-client.
describe("serveMetrics of the installed runtime", () => {
  const scrapeOnce = (): unknown => JSON.parse(sh(process.execPath, ["dist/scrape-once.js"], app).stdout);
  const text = { status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", counted: true };

  it("answers OpenMetrics to Prometheus and the text format to curl, with prom-client 15", () => {
    expect(scrapeOnce()).toEqual({ promClient: "15", prometheus: { status: 200, contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8", counted: true }, curl: text });
  });

  it("answers the text format to both with prom-client 14, which renders no OpenMetrics", () => {
    sh("npm", ["install", "prom-client@14"], app);
    expect(scrapeOnce()).toEqual({ promClient: "14", prometheus: text, curl: text });
  }, 300_000);
});
