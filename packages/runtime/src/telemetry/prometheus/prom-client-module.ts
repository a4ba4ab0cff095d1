import { createRequire } from "node:module";
import { diag } from "@opentelemetry/api";
import { reportOnce } from "../../process-state.js";
import type { PrometheusRegistry } from "../options.js";
import type { ScrapedRegistry } from "./scrape.js";

declare const require: NodeJS.Require | undefined;

/** A registry made by the runtime to render a scrape (see metrics-endpoint.ts). */
export interface RenderingRegistry {
  registerMetric(metric: never): void;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** What the runtime uses of prom-client's module, the same in prom-client 14 and 15. */
export interface PromClientModule {
  /** The global registry. */
  readonly register: PrometheusRegistry & ScrapedRegistry;
  readonly Registry: {
    new (contentType?: string): RenderingRegistry;
    /** prom-client 15 only: 14 renders the Prometheus text format alone. */
    readonly OPENMETRICS_CONTENT_TYPE?: string | undefined;
  };
}

// prom-client is an optional peer, so it is loaded on first need, never imported, and
// always by its literal name inside a `try`, which bundlers see and bundle (or, when it
// is not installed, leave to fail at run time).

/**
 * prom-client, loaded at once where there is a `require` (the CommonJS build, esbuild
 * and webpack bundles, ESM bundles with a `createRequire` banner) or one can be made
 * (plain Node ESM): the module, or `undefined` when it is not installed. Throws what
 * loading threw when it is installed but fails to load.
 */
export function requirePromClient(): PromClientModule | undefined {
  try {
    return (typeof require === "function" ? require("prom-client") : createRequire(import.meta.url)("prom-client")) as PromClientModule;
  } catch (err) {
    if (isModuleNotFound(err)) {
      return undefined;
    }
    throw err;
  }
}

/**
 * prom-client through `import()`, for bundles that keep no `require` (rollup's, say):
 * the module, or `undefined` when it cannot be loaded.
 */
export async function importPromClient(): Promise<PromClientModule | undefined> {
  try {
    const promClient = (await import("prom-client")) as Partial<PromClientModule> & { readonly default?: Partial<PromClientModule> };
    const module = promClient.register !== undefined ? promClient : promClient.default;
    if (module?.register !== undefined && module.Registry !== undefined) {
      return module as PromClientModule;
    }
  } catch {
    // The caller reports the absence it amounts to.
  }
  return undefined;
}

/** Says once that prom-client could not be loaded, and what to do. */
export function reportPromClientMissing(): void {
  reportOnce("prom-client missing", () => {
    diag.warn(
      "protoc-gen-ts-otel-runtime: prom-client could not be loaded, so there are no Prometheus metrics; install prom-client, pass telemetry.prometheus.registry, or set telemetry.prometheus to false",
    );
  });
}

/** Says once that prom-client is installed but threw `err` as it loaded. */
export function reportPromClientBroken(err: unknown): void {
  reportOnce("prom-client load", () => {
    diag.error("protoc-gen-ts-otel-runtime: prom-client is installed but failed to load, so there are no Prometheus metrics", err);
  });
}

function isModuleNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "MODULE_NOT_FOUND";
}
