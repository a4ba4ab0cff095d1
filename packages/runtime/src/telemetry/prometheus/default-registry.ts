import { createRequire } from "node:module";
import { diag } from "@opentelemetry/api";
import { processState, reportOnce } from "../../process-state.js";
import type { PrometheusRegistry } from "../options.js";

declare const require: NodeJS.Require | undefined;

interface PromClient {
  readonly register: PrometheusRegistry;
}

/**
 * prom-client's global `register`, the default registry, found once per process.
 *
 * prom-client is an optional peer, so it is loaded on first need, never imported, and
 * always by its literal name inside a `try`, which bundlers see and bundle (or, when it
 * is not installed, leave to fail at run time): `require("prom-client")` where there is
 * a `require` (the CommonJS build, esbuild and webpack bundles, ESM bundles with a
 * `createRequire` banner), else a require made for this module (plain Node ESM), else
 * `import("prom-client")` (bundles that keep no `require`, such as rollup's). The last
 * one answers later: until then the registry is a stand-in that keeps what is
 * registered and hands it over; calls are counted from the start either way, since the
 * counts live in the runtime's own cells.
 */
export function defaultRegistry(): PrometheusRegistry | undefined {
  const state = processState();
  if (state.defaultRegistry === undefined) {
    state.defaultRegistry = findDefaultRegistry() ?? null;
  }
  return (state.defaultRegistry as PrometheusRegistry | null) ?? undefined;
}

function findDefaultRegistry(): PrometheusRegistry | undefined {
  let promClient: PromClient;
  try {
    promClient = (
      typeof require === "function" ? require("prom-client") : createRequire(import.meta.url)("prom-client")
    ) as PromClient;
  } catch (err) {
    if (isModuleNotFound(err)) {
      const pending = new PendingRegistry();
      void importPromClient(pending);
      return pending;
    }
    reportOnce("prom-client load", () => {
      diag.error("protoc-gen-ts-otel-runtime: prom-client is installed but failed to load, so there are no Prometheus metrics", err);
    });
    return undefined;
  }
  return promClient.register;
}

async function importPromClient(pending: PendingRegistry): Promise<void> {
  try {
    const promClient = (await import("prom-client")) as Partial<PromClient> & { readonly default?: Partial<PromClient> };
    const register = promClient.register ?? promClient.default?.register;
    if (register !== undefined) {
      pending.resolve(register);
      return;
    }
  } catch {
    // Reported below, as the absence it amounts to.
  }
  reportOnce("prom-client missing", () => {
    diag.warn(
      "protoc-gen-ts-otel-runtime: prom-client could not be loaded, so there are no Prometheus metrics; install prom-client, pass telemetry.prometheus.registry, or set telemetry.prometheus to false",
    );
  });
}

function isModuleNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "MODULE_NOT_FOUND";
}

/**
 * The default registry while `import("prom-client")` is under way: it answers as an
 * empty registry, keeps what is registered, and hands it all to the real one, which
 * from then on is the same registry to every client and server.
 */
class PendingRegistry implements PrometheusRegistry {
  private target: PrometheusRegistry | undefined;
  private readonly metrics = new Map<string, { readonly name: string }>();

  getSingleMetric(name: string): unknown {
    return this.target === undefined ? this.metrics.get(name) : this.target.getSingleMetric(name);
  }

  registerMetric(metric: never): void {
    if (this.target === undefined) {
      const named = metric as { readonly name: string };
      this.metrics.set(named.name, named);
    } else {
      this.target.registerMetric(metric);
    }
  }

  get contentType(): string | undefined {
    return this.target?.contentType;
  }

  resolve(target: PrometheusRegistry): void {
    this.target = target;
    const { registries } = processState();
    const metrics = registries.get(this);
    if (metrics !== undefined && !registries.has(target)) {
      registries.set(target, metrics);
    }
    for (const metric of this.metrics.values()) {
      try {
        target.registerMetric(metric as never);
      } catch (err) {
        reportOnce("prometheus registry clash", () => {
          diag.error(`protoc-gen-ts-otel-runtime: could not register ${metric.name} in prom-client's register`, err);
        });
      }
    }
    this.metrics.clear();
  }
}
