// The `/metrics` endpoint every service needs: a Node `http` handler for a prom-client
// registry, and a server that serves one, as the Go client's promhttp does.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { diag } from "@opentelemetry/api";
import { reportOnce } from "./process-state.js";
import { importPromClient, reportPromClientBroken, reportPromClientMissing, requirePromClient } from "./telemetry/prometheus/prom-client-module.js";
import type { PromClientModule } from "./telemetry/prometheus/prom-client-module.js";
import { negotiateFormat, renderScrape, rendersOpenMetrics } from "./telemetry/prometheus/scrape.js";
import type { ScrapedRegistry } from "./telemetry/prometheus/scrape.js";

export type { ScrapedRegistry } from "./telemetry/prometheus/scrape.js";

export interface MetricsHandlerOptions {
  /** The registry to serve. Default: prom-client's global `register`. */
  registry?: ScrapedRegistry | undefined;
  /**
   * Answer OpenMetrics, exemplars included, to scrapers that ask for it (Prometheus
   * does). Default true; prom-client 14 renders the text format only.
   */
  openMetrics?: boolean | undefined;
}

/** A request handler for `http.createServer`, or a route of express and the like. */
export type MetricsHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Serves a prom-client registry to `GET` and `HEAD`, whatever the path: the Prometheus
 * text format, or OpenMetrics (with exemplars) when the scraper's `Accept` prefers it,
 * gzipped when it accepts gzip. Another method is answered 405; a registry that fails
 * to collect, 500 with a short message, and the error is reported once through
 * OpenTelemetry's `diag`.
 */
export function metricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  const openMetrics = options.openMetrics ?? true;
  let promClient: Promise<PromClientModule | undefined> | undefined;
  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("Method Not Allowed\n");
      return;
    }
    promClient ??= loadPromClient();
    void promClient.then(async (loaded) => {
      if (loaded === undefined) {
        // Looked for again at the next scrape: prom-client may be installed by then.
        promClient = undefined;
        answerError(response, "prom-client could not be loaded");
      } else {
        await serveScrape(loaded, options.registry ?? loaded.register, openMetrics, request, response);
      }
    });
  };
}

export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** Default 9464, the port OpenTelemetry's Prometheus exporter takes. */
  port?: number | undefined;
  /** Default: every interface. */
  host?: string | undefined;
  /** The path served; every other path is answered 404. Default `/metrics`. */
  path?: string | undefined;
}

/**
 * An HTTP server of `metricsHandler(options)` on `path`, listening: resolves once it
 * listens (`server.address()` has the port), rejects when it cannot (the port is taken).
 */
export function serveMetrics(options: MetricsServerOptions = {}): Promise<Server> {
  const path = options.path ?? "/metrics";
  const handler = metricsHandler(options);
  const server = createServer((request, response) => {
    if (new URL(request.url ?? "/", "http://localhost").pathname === path) {
      handler(request, response);
    } else {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end(`Not Found: metrics are at ${path}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 9464, options.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/** prom-client, or `undefined` once reported through `diag` that it could not be loaded. */
async function loadPromClient(): Promise<PromClientModule | undefined> {
  try {
    const promClient = requirePromClient() ?? (await importPromClient());
    if (promClient === undefined) {
      reportPromClientMissing();
    }
    return promClient;
  } catch (err) {
    reportPromClientBroken(err);
    return undefined;
  }
}

const gzipAsync = promisify(gzip);

async function serveScrape(
  promClient: PromClientModule,
  registry: ScrapedRegistry,
  openMetrics: boolean,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const format = negotiateFormat(request.headers.accept, openMetrics && rendersOpenMetrics(promClient));
    const scrape = await renderScrape(promClient, registry, format);
    const headers: Record<string, string> = { "Content-Type": scrape.contentType, Vary: "Accept, Accept-Encoding" };
    let body = Buffer.from(scrape.body);
    if (acceptsGzip(request.headers["accept-encoding"])) {
      body = await gzipAsync(body);
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = String(body.length);
    response.writeHead(200, headers).end(request.method === "HEAD" ? undefined : body);
  } catch (err) {
    reportOnce("metrics endpoint", () => {
      diag.error("protoc-gen-ts-otel-runtime: the metrics endpoint could not collect the registry's metrics", err);
    });
    answerError(response, "metrics could not be collected");
  }
}

/** 500 with a short reason; the details went to `diag`. */
function answerError(response: ServerResponse, reason: string): void {
  if (!response.headersSent) {
    response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
  }
  response.end(`${reason}\n`);
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? "").split(",").some((coding) => {
    const [name = "", ...params] = coding.split(";").map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    return name === "gzip" && (q === undefined || Number(q.slice(2)) > 0);
  });
}
