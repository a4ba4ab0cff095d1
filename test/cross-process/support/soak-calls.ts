// One call of the cross-process soak, as its caller makes it: what support/scenarios.ts
// plans for it, and the status the caller received. Shared by the soak test's client
// and the long soak of the benchmark.
import { Metadata } from "@grpc/grpc-js";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { CallOptions } from "protoc-gen-ts-otel-runtime";
import type { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { PlannedCall } from "./scenarios.js";

/** The deadline of `deadline` calls; their handlers wait for longer. */
const DEADLINE_MS = 60;

/** Resolves when `signal` fires; request streams that must stay open wait on it. */
export function until(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Makes `call` on `client`; resolves with the name of the status the caller received. */
export async function makeCall(client: TestServiceClient, call: PlannedCall): Promise<string> {
  const abort = new AbortController();
  const metadata = new Metadata();
  metadata.set("x-call-id", call.callId);
  metadata.set("x-scenario", call.scenario);
  const options: CallOptions = {
    metadata,
    signal: abort.signal,
    ...(call.scenario === "deadline" ? { deadline: Date.now() + DEADLINE_MS } : {}),
    ...(call.scenario === "abort-mid" ? { onHeader: () => abort.abort() } : {}),
  };
  // Requests: one, or (abort-mid, break-early) two and then an open stream until the call ends.
  const ended = new AbortController();
  async function* requests(): AsyncGenerator<{ text: string; count: number }> {
    yield { text: call.callId, count: 1 };
    if (call.scenario === "half-close-early") return;
    yield { text: call.callId, count: 1 };
    if (call.scenario === "abort-mid" || call.scenario === "break-early" || call.scenario === "deadline" || call.scenario === "abort-early") {
      await until(ended.signal);
    }
  }
  const single = { text: call.callId, count: 1 };
  try {
    switch (call.kind) {
      case "Unary": {
        const response = client.unary(single, options);
        if (call.scenario === "abort-early") abort.abort();
        await response;
        break;
      }
      case "ClientStream": {
        const response = client.clientStream(requests(), options);
        if (call.scenario === "abort-early") abort.abort();
        await response;
        break;
      }
      case "ServerStream":
      case "BidiStream": {
        const responses = call.kind === "ServerStream" ? client.serverStream(single, options) : client.bidiStream(requests(), options);
        const iterator = responses[Symbol.asyncIterator]();
        const first = iterator.next();
        if (call.scenario === "abort-early") abort.abort();
        let received = 0;
        for (let result = await first; result.done !== true; result = await iterator.next()) {
          received += 1;
          if (call.scenario === "break-early" && received === 2) {
            await iterator.return?.();
            return "CANCELLED";
          }
        }
        break;
      }
    }
    return "OK";
  } catch (err) {
    return Code[RpcError.from(err).code];
  } finally {
    ended.abort();
  }
}
