// Handlers of the canonical TestService that do what a request's `behavior` asks
// (see the Behavior enum in test_service.proto). Streaming-request methods take the
// behaviour from the first request. Tests that need one precise handler write it inline.
import { Metadata } from "@grpc/grpc-js";
import { RpcError } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { aborted } from "./harness.js";

/** The fields every request of the TestService has. */
export interface TestRequest {
  readonly text: string;
  readonly count: number;
  readonly payload: Uint8Array;
  readonly behavior: Behavior;
  readonly statusCode: number;
}

/** What a response of any TestService method is made from. */
export interface TestResponse {
  text: string;
  index: number;
  payload: Uint8Array;
  count: number;
}

/** The message of the exceptions BEHAVIOR_THROW handlers throw; it must never reach a client. */
export const SECRET = "secret detail";

/** Messages the *_MID_STREAM behaviours send before failing. */
export const MESSAGES_BEFORE_FAILURE = 2;

/** The responses an echoing unary or server-streaming method answers `request` with. */
export function echoResponses(request: TestRequest): TestResponse[] {
  const count = Math.max(request.count, 1);
  return Array.from({ length: count }, (_, index) => ({ text: request.text, index, payload: request.payload, count }));
}

/** The one response an echoing client-streaming method answers `requests` with. */
export function summaryResponse(requests: readonly TestRequest[]): TestResponse {
  return {
    text: requests.map((r) => r.text).join(","),
    index: requests.length,
    payload: requests.at(-1)?.payload ?? new Uint8Array(),
    count: requests.reduce((sum, r) => sum + r.count, 0),
  };
}

/** The RpcError that BEHAVIOR_FAIL_STATUS and BEHAVIOR_FAIL_MID_STREAM answer with. */
export function statusError(request: TestRequest): RpcError {
  const metadata = new Metadata();
  metadata.set("x-detail", `status ${request.statusCode}`);
  // A status-like object, so RpcError.from validates the number from the wire as a code.
  return RpcError.from({ code: request.statusCode, details: `failed as asked: ${request.text}`, metadata });
}

/** Lets a test watch the handlers. */
export interface BehaviorHooks {
  /** Sees each call's context as its handler starts. */
  onCall?(context: ServerContext): void;
  /** Sees each exception a BEHAVIOR_THROW handler throws. */
  onThrow?(error: Error): void;
}

/** Builds the handlers. */
export function behaviorHandlers(hooks: BehaviorHooks = {}): TestServiceHandlers {
  const act = async (request: TestRequest, context: ServerContext): Promise<void> => {
    switch (request.behavior) {
      case Behavior.FAIL_STATUS:
      case Behavior.FAIL_MID_STREAM:
        throw statusError(request);
      case Behavior.THROW:
      case Behavior.THROW_MID_STREAM: {
        const error = new Error(SECRET);
        hooks.onThrow?.(error);
        throw error;
      }
      case Behavior.WAIT_FOR_CANCEL:
        throw await aborted(context.signal);
      default:
        return;
    }
  };

  // Streams `responses` after doing what a streaming behaviour asks: the *_MID_STREAM
  // behaviours send some messages first, WAIT_FOR_CANCEL sends `count` of them first.
  async function* stream(request: TestRequest, context: ServerContext, responses: readonly TestResponse[]) {
    switch (request.behavior) {
      case Behavior.FAIL_MID_STREAM:
      case Behavior.THROW_MID_STREAM:
        yield* echoResponses({ ...request, count: MESSAGES_BEFORE_FAILURE });
        break;
      case Behavior.WAIT_FOR_CANCEL:
        if (request.count > 0) {
          yield* echoResponses(request);
        }
        break;
      default:
        break;
    }
    await act(request, context);
    yield* responses;
  }

  return {
    async unary(request, context) {
      hooks.onCall?.(context);
      await act(request, context);
      return echoResponses(request)[0] ?? {};
    },
    async *serverStream(request, context) {
      hooks.onCall?.(context);
      yield* stream(request, context, echoResponses(request));
    },
    async clientStream(requests, context) {
      hooks.onCall?.(context);
      const received: TestRequest[] = [];
      for await (const request of requests) {
        if (received.length === 0) {
          await act(request, context);
        }
        received.push(request);
      }
      return summaryResponse(received);
    },
    async *bidiStream(requests, context) {
      hooks.onCall?.(context);
      let first = true;
      for await (const request of requests) {
        if (first) {
          first = false;
          yield* stream(request, context, []);
        }
        yield* echoResponses(request);
      }
    },
  };
}
