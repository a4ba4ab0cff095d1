import { diag } from "@opentelemetry/api";
import { processState, reportOnce } from "../../process-state.js";
import type { PrometheusRegistry } from "../options.js";
import { importPromClient, reportPromClientBroken, reportPromClientMissing, requirePromClient } from "./prom-client-module.js";
import type { PromClientModule } from "./prom-client-module.js";

/**
 * prom-client's global `register`, the default registry, found once per process.
 *
 * prom-client is an optional peer (see prom-client-module.ts): loaded at once where a
 * `require` can be had, else through `import()`, which answers later: until then the
 * registry is a stand-in that keeps what is registered and hands it over; calls are
 * counted from the start either way, since the counts live in the runtime's own cells.
 */
export function defaultRegistry(): PrometheusRegistry | undefined {
  const state = processState();
  if (state.defaultRegistry === undefined) {
    state.defaultRegistry = findDefaultRegistry() ?? null;
  }
  return (state.defaultRegistry as PrometheusRegistry | null) ?? undefined;
}

function findDefaultRegistry(): PrometheusRegistry | undefined {
  let promClient: PromClientModule | undefined;
  try {
    promClient = requirePromClient();
  } catch (err) {
    reportPromClientBroken(err);
    return undefined;
  }
  if (promClient !== undefined) {
    return promClient.register;
  }
  const pending = new PendingRegistry();
  void importPromClient().then((imported) => {
    if (imported === undefined) {
      reportPromClientMissing();
    } else {
      pending.resolve(imported.register);
    }
  });
  return pending;
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
