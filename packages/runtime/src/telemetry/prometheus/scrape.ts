// What one scrape of a prom-client registry answers: the exposition format chosen from
// the scraper's Accept header, rendered by prom-client itself.

import type { PromClientModule } from "./prom-client-module.js";

/** A registry to scrape: any prom-client 14 or 15 `Registry`, typed structurally. */
export interface ScrapedRegistry {
  getMetricsAsJSON(): Promise<readonly { readonly name: string }[]>;
}

export type ExpositionFormat = "text" | "openmetrics";

const OPENMETRICS = "application/openmetrics-text";
const TEXT = "text/plain";

/**
 * The format to answer a scraper with, as the Go client's promhttp picks it: the media
 * ranges of `Accept` in order of preference (q, then order), the first that names
 * OpenMetrics (version 1.0.0 or 0.0.1) or the text format (version 0.0.4) wins; none,
 * or none of those, is the text format. Prometheus asks for OpenMetrics first.
 */
export function negotiateFormat(accept: string | undefined, openMetricsAvailable: boolean): ExpositionFormat {
  const ranges = (accept ?? "")
    .split(",")
    .map((range, order) => {
      const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
      const param = (name: string): string | undefined =>
        params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1).replace(/^"|"$/g, "");
      const q = Number(param("q") ?? "1");
      return { type, version: param("version"), q: Number.isNaN(q) ? 0 : q, order };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { type, version } of ranges) {
    if (type === OPENMETRICS && openMetricsAvailable && (version === undefined || version === "1.0.0" || version === "0.0.1")) {
      return "openmetrics";
    }
    if (type === TEXT && (version === undefined || version === "0.0.4")) {
      return "text";
    }
  }
  return "text";
}

/** Whether this prom-client renders OpenMetrics (15 does, 14 does not). */
export function rendersOpenMetrics(promClient: PromClientModule): boolean {
  return promClient.Registry.OPENMETRICS_CONTENT_TYPE !== undefined;
}

/**
 * The registry's metrics in `format`, rendered by a registry of that format made for
 * this scrape, with one stand-in per family of `getMetricsAsJSON()` (which adds the
 * registry's default labels). So the same registry answers either format, whichever
 * content type it was made with, its exemplars appear in OpenMetrics, and nothing of it
 * changes: prom-client's OpenMetrics rendering renames the counters it renders (drops
 * their `_total`), here the stand-ins.
 */
export async function renderScrape(
  promClient: PromClientModule,
  registry: ScrapedRegistry,
  format: ExpositionFormat,
): Promise<{ readonly body: string; readonly contentType: string }> {
  const { Registry } = promClient;
  const rendering = format === "openmetrics" ? new Registry(Registry.OPENMETRICS_CONTENT_TYPE) : new Registry();
  for (const family of await registry.getMetricsAsJSON()) {
    rendering.registerMetric(familyStandIn(family) as never);
  }
  return { body: await rendering.metrics(), contentType: rendering.contentType };
}

/** A registered metric, as far as prom-client's rendering reads one, that answers `family`. */
function familyStandIn(family: { readonly name: string }): { name: string; readonly type: unknown; get(): Promise<object> } {
  return {
    name: family.name,
    type: (family as { readonly type?: unknown }).type,
    get() {
      return Promise.resolve({ ...family, name: this.name });
    },
  };
}
