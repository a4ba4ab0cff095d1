import { on } from "node:events";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import type { HealthHandlers } from "./gen/grpc/health/v1/health_otel.js";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "./gen/grpc/health/v1/health_pb.js";
import type { HealthCheckRequest, HealthCheckResponse } from "./gen/grpc/health/v1/health_pb.js";

/**
 * The serving status of each service ("" is the whole server, SERVING from the start)
 * and the grpc.health.v1.Health handlers that answer from it.
 */
export class HealthService implements HealthHandlers {
  readonly #statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  readonly #changes = new EventTarget();

  /** Sets a service's status; its watchers get the new one. */
  set(service: string, status: ServingStatus): void {
    this.#statuses.set(service, status);
    this.#changes.dispatchEvent(new Event(service));
  }

  check(request: HealthCheckRequest): { status: ServingStatus } {
    const status = this.#statuses.get(request.service);
    // What the health-checking protocol asks for a service the server does not know.
    if (status === undefined) throw new RpcError(Code.NOT_FOUND, `unknown service ${request.service}`);
    return { status };
  }

  async *watch(request: HealthCheckRequest, context: ServerContext): AsyncGenerator<Pick<HealthCheckResponse, "status">> {
    // Listening before the first answer: a change while it is on its way is not lost.
    const changes = on(this.#changes, request.service, { signal: context.signal });
    const current = (): Pick<HealthCheckResponse, "status"> => ({
      status: this.#statuses.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN,
    });
    yield current();
    try {
      for await (const _change of changes) yield current();
    } catch {
      return; // the client went away
    }
  }
}
