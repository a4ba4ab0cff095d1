// The go-grpc-prometheus numbers of one method on one side, read from an exposition,
// in a shape a test can compare whole.
import { setImmediate as tick } from "node:timers/promises";
import { parseExposition, samplesOf, sumOf, valueOf } from "./exposition.js";
import type { Exposition } from "./exposition.js";
import { pollUntil } from "./poll.js";

export type Side = "server" | "client";

export interface MethodCounts {
  started: number;
  received: number;
  sent: number;
  /** Non-zero `handled` counts by `grpc_code`. */
  handled: Record<string, number>;
  /** `grpc_*_handling_seconds_count`. */
  timed: number;
}

/** The TestService labels of a method: `grpc_service` and `grpc_method`. */
export function testMethod(method: string): { grpc_service: string; grpc_method: string } {
  return { grpc_service: "tsotel.testing.v1.TestService", grpc_method: method };
}

export function countsOf(exposition: Exposition, side: Side, method: string): MethodCounts {
  const labels = testMethod(method);
  const handled: Record<string, number> = {};
  for (const sample of samplesOf(exposition, `grpc_${side}_handled_total`, labels)) {
    if (sample.value !== 0) {
      handled[sample.labels["grpc_code"] ?? "?"] = sample.value;
    }
  }
  return {
    started: valueOf(exposition, `grpc_${side}_started_total`, labels),
    received: valueOf(exposition, `grpc_${side}_msg_received_total`, labels),
    sent: valueOf(exposition, `grpc_${side}_msg_sent_total`, labels),
    handled,
    timed: valueOf(exposition, `grpc_${side}_handling_seconds_count`, labels),
  };
}

/** What a test scrapes: any prom-client registry. */
export interface Scrapable {
  metrics(): Promise<string>;
}

export async function scrape(registry: Scrapable): Promise<Exposition> {
  return parseExposition(await registry.metrics());
}

/**
 * Scrapes once both sides have handled `calls` calls of `method`, and a few event-loop
 * turns later, so that a second count of the same call would have landed by then.
 */
export async function settledScrape(registry: Scrapable, method: string, calls = 1): Promise<Exposition> {
  const handled = (exposition: Exposition, side: Side): number => sumOf(exposition, `grpc_${side}_handled_total`, testMethod(method));
  await pollUntil(
    () => scrape(registry),
    (exposition) => handled(exposition, "server") >= calls && handled(exposition, "client") >= calls,
    `${calls} handled ${method} call(s) on both sides`,
  );
  for (let i = 0; i < 5; i++) {
    await tick();
  }
  return scrape(registry);
}

/** Scrapes until the samples of family `name` add up to `total` at least. */
export async function settledTotal(registry: Scrapable, name: string, total: number): Promise<Exposition> {
  return pollUntil(
    () => scrape(registry),
    (exposition) => sumOf(exposition, name) >= total,
    `${String(total)} calls in ${name}`,
  );
}
