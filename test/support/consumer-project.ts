// A project of a user of the two packages, made outside this repository: the packages
// packed as `npm publish` would upload them and installed with the README's own Install
// commands, the README's code blocks read as written, and what its programs need to
// run: an OTLP receiver, a server process stopped with SIGTERM.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { cleanEnv, npmProject, sh } from "./npm-project.js";
import { repoRoot } from "./paths.js";
import { listenLocal } from "./listen.js";

export const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
export const README_PROGRAMS = ["telemetry", "server", "client"] as const;

/** The README's first fenced code block that starts with `firstLine`, from that line on. */
export function readmeBlock(firstLine: string): string {
  const open = readme.indexOf(`\n${firstLine}\n`);
  const close = readme.indexOf("\n```", open + 1);
  const fence = readme.slice(readme.lastIndexOf("\n", open - 1) + 1, open);
  if (open < 0 || close < 0 || !["```sh", "```yaml", "```ts"].includes(fence)) {
    throw new Error(`the README has no code block starting with "${firstLine}"`);
  }
  return readme.slice(open + 1, close + 1);
}

/** The `npm install` lines of the README's Install section. */
export function installCommands(): string[] {
  return readmeBlock("# the generator and its tools, for development")
    .split("\n")
    .filter((line) => line.startsWith("npm install"))
    .map((line) => line.replace(/\s+#.*$/, ""));
}

/**
 * A new ES module project in `app` with the README's Install commands run in it,
 * verbatim but for our two packages, which come from `tarballs` instead of the
 * registry. Returns what npm said on stderr.
 */
export function installAsReadmeSays(app: string, tarballs: Readonly<Record<string, string>>): string {
  npmProject(app, { name: "consumer-app", private: true, type: "module" });
  const logs: string[] = [];
  for (const line of installCommands()) {
    const args = line
      .split(/\s+/)
      .slice(1)
      .map((arg) => tarballs[arg] ?? arg);
    logs.push(sh("npm", args, app).stderr);
  }
  return logs.join("\n");
}

/** A metric as an OTLP/HTTP JSON export carries it, with its resource's service.name. */
export interface ExportedMetric {
  readonly service: string;
  readonly name: string;
}

/** A span as an OTLP/HTTP JSON export carries it (ids in hex), with its resource's service.name. */
export interface ExportedSpan extends ExportedMetric {
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
}

interface OtlpResource {
  readonly attributes: readonly { key: string; value: { stringValue?: string } }[];
}

interface OtlpExport {
  readonly resourceSpans?: readonly { resource: OtlpResource; scopeSpans: readonly { spans: readonly Omit<ExportedSpan, "service">[] }[] }[];
  readonly resourceMetrics?: readonly { resource: OtlpResource; scopeMetrics: readonly { metrics: readonly { name: string }[] }[] }[];
}

export interface OtlpReceiver {
  readonly endpoint: string;
  /** Posted to /v1/traces. */
  readonly spans: ExportedSpan[];
  /** Posted to /v1/metrics. */
  readonly metrics: ExportedMetric[];
  close(): Promise<void>;
}

/** An OTLP/HTTP receiver on 127.0.0.1 (protocol http/json) that keeps what it is sent. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ExportedSpan[] = [];
  const metrics: ExportedMetric[] = [];
  const serviceName = (resource: OtlpResource): string => resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const posted = JSON.parse(body) as OtlpExport;
      if (req.url === "/v1/traces") {
        for (const { resource, scopeSpans } of posted.resourceSpans ?? []) {
          spans.push(...scopeSpans.flatMap((scope) => scope.spans.map(({ name, kind, traceId, spanId, parentSpanId }) => ({ service: serviceName(resource), name, kind, traceId, spanId, parentSpanId }))));
        }
      } else if (req.url === "/v1/metrics") {
        for (const { resource, scopeMetrics } of posted.resourceMetrics ?? []) {
          metrics.push(...scopeMetrics.flatMap((scope) => scope.metrics.map(({ name }) => ({ service: serviceName(resource), name }))));
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const port = await listenLocal(server);
  return { endpoint: `http://127.0.0.1:${port}`, spans, metrics, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The environment a program of the app reads its OpenTelemetry SDK settings from: OTLP to `endpoint` only. */
export function otlpEnv(service: string, endpoint: string): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(cleanEnv).filter(([key]) => !key.startsWith("OTEL_"))),
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  };
}

export interface ServerProcess {
  readonly port: number;
  /** Sends SIGTERM; resolves with how it exited (killed after 15 s if it had not), its stderr, and the milliseconds it took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }>;
}

/** Starts the app's compiled server.js on 127.0.0.1:0; resolves once it printed `listening on <port>`. */
export async function startServer(cwd: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["dist/server.js", "127.0.0.1:0"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server.js said no "listening on <port>" within 30 s\n${stderr}`));
    }, 30_000);
    void exited.then(({ code }) => reject(new Error(`server.js exited (${String(code)}) before listening\n${stderr}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const listening = /^listening on (\d+)$/.exec(line);
      if (listening === null) return;
      clearTimeout(timer);
      resolve(Number(listening[1]));
    });
  });
  return {
    port,
    async stop() {
      const sent = performance.now();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const exit = await exited;
      const ms = performance.now() - sent;
      clearTimeout(timer);
      return { ...exit, stderr, ms };
    },
  };
}

