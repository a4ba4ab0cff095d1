// Shared fixtures of the behaviour tests: the canonical TestService served by real
// grpc-js on 127.0.0.1:0, a client connected to it, and bounded waits for conditions.
import { Client, Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import type { ServerOptions as GrpcServerOptions } from "@grpc/grpc-js";
import { afterEach, expect } from "vitest";
import { RpcError, createServer } from "protoc-gen-ts-otel-runtime";
import type { ClientOptions, ServerOptions } from "protoc-gen-ts-otel-runtime";
import {
  TestServiceClient,
  addTestService,
} from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { bindLocal } from "./listen.js";
import { pollUntil } from "./poll.js";

export interface HarnessOptions {
  /** Options of the grpc-js Server itself, e.g. `grpc.max_receive_message_length`. */
  grpcServer?: GrpcServerOptions;
  /** Serve on a server made by the runtime's `createServer()` instead of a plain grpc-js `new Server()`. */
  createServer?: boolean;
  /** Options of the generated service registration (telemetry). */
  server?: ServerOptions;
  /** Options of the generated client (channel options, telemetry). */
  client?: ClientOptions;
}

export interface TestHarness {
  readonly client: TestServiceClient;
  readonly server: Server;
  readonly port: number;
  /** `127.0.0.1:<port>`, for clients a test builds itself. */
  readonly address: string;
  close(): void;
}

/**
 * Serves `handlers` on a fresh grpc-js server bound to an ephemeral port and connects a
 * client. Handlers left out answer UNIMPLEMENTED, as a partial handler object does at run time.
 */
export async function startTestServer(
  handlers: Partial<TestServiceHandlers>,
  options: HarnessOptions = {},
): Promise<TestHarness> {
  const server = options.createServer === true ? createServer(options.grpcServer) : new Server(options.grpcServer);
  addTestService(server, handlers as TestServiceHandlers, options.server);
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  const address = `127.0.0.1:${port}`;
  // The generated client runs on a grpc-js Client that is connected before the test
  // begins, so that a short deadline times the call, not the connection setup.
  // Constructing from an address is covered by client.test.ts.
  const { channelOptions, ...clientOptions } = options.client ?? {};
  const channel = new Client(address, credentials.createInsecure(), channelOptions);
  try {
    await new Promise<void>((resolve, reject) => {
      channel.waitForReady(Date.now() + 5_000, (err) => (err === undefined ? resolve() : reject(err)));
    });
  } catch (err) {
    channel.close();
    server.forceShutdown();
    throw err;
  }
  const client = new TestServiceClient(channel, clientOptions);
  return {
    client,
    server,
    port,
    address,
    close() {
      client.close();
      channel.close();
      server.forceShutdown();
    },
  };
}

/** What `useTestServer()` returns. */
export type StartTestServer = (handlers: Partial<TestServiceHandlers>, options?: HarnessOptions) => Promise<TestHarness>;

/**
 * Returns a `start` function for one test file; every harness it starts is closed
 * after each test, whatever the test's outcome.
 */
export function useTestServer(): StartTestServer {
  const started: TestHarness[] = [];
  afterEach(() => {
    for (const harness of started.splice(0)) {
      harness.close();
    }
  });
  return async (handlers, options) => {
    const harness = await startTestServer(handlers, options);
    started.push(harness);
    return harness;
  };
}

/**
 * The deadline of tests that make a call time out, in milliseconds from now: short, yet
 * long enough for the call to reach the handler first (the connection is already up).
 */
export const SHORT_DEADLINE_MS = 100;

/** Polls `condition` until it holds; fails after `timeoutMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  await pollUntil(async () => condition(), (holds) => holds, what, timeoutMs);
}

/**
 * Polls a counter until it has not moved for `quietMs`, and returns its value: how far a
 * producer got before backpressure stopped it. Fails if it keeps moving for `timeoutMs`.
 */
export async function waitUntilSteady(read: () => number, what: string, quietMs = 200, timeoutMs = 10_000): Promise<number> {
  const giveUp = Date.now() + timeoutMs;
  let last = read();
  let lastChange = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const value = read();
    if (value !== last) {
      last = value;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= quietMs) {
      return value;
    }
    if (Date.now() > giveUp) {
      throw new Error(`${what} kept advancing for ${timeoutMs} ms (now ${value})`);
    }
  }
}

/**
 * Awaits an event a test expects from the server side, failing after `timeoutMs` with
 * `what` instead of hanging until the test's own timeout when a regression loses it.
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the reason of the signal a handler handed over, once it fires; bounded by `within`. */
export function handlerAborted(signal: Promise<AbortSignal>): Promise<unknown> {
  return within(signal.then(aborted), "the handler's signal to fire");
}

/** A promise with its resolver, for handing events from a handler to the test. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve: (value) => resolve(value) };
}

/** Resolves with the signal's reason once it fires (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) {
    return Promise.resolve(signal.reason);
  }
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

/** Awaits a promise that must reject, and returns the rejection. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** Drains a response stream into an array, then returns it with the error it ended with. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<{ messages: T[]; error: unknown }> {
  const messages: T[] = [];
  try {
    for await (const message of stream) {
      messages.push(message);
    }
  } catch (err) {
    return { messages, error: err };
  }
  return { messages, error: undefined };
}

/** Asserts that `err` is an RpcError with `code`, and returns it typed. */
export function expectRpcError(err: unknown, code: number): RpcError {
  expect(err).toBeInstanceOf(RpcError);
  const error = err as RpcError;
  expect(error.code).toBe(code);
  return error;
}
