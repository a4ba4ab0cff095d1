// The handler scope: which generated handler's call the code running now belongs to,
// across every await and async generator of the handler (Node's AsyncLocalStorage), so
// that a generated client call made there inherits the handler's deadline and
// cancellation, as a call made with a Go handler's `ctx` does (docs/propagation.md).
import type { AsyncLocalStorage } from "node:async_hooks";
import type { CallOptions as GrpcCallOptions } from "@grpc/grpc-js";
import { processState } from "./process-state.js";

/** What a client call made inside a handler learns of the handler's call. */
export interface HandlerCall {
  /**
   * The handler's grpc-js call, which client calls pass to grpc-js as their `parent`
   * for it to take the earlier of their deadline and this call's.
   */
  readonly parentCall: NonNullable<GrpcCallOptions["parent"]>;
  /** Whether grpc-js has reported the handler's call over, whatever its status. */
  readonly isOver: boolean;
  /** Runs `listener` once when the handler's call is over; not if it already is. */
  onOver(listener: () => void): void;
  /** Forgets a listener given to `onOver`. */
  offOver(listener: () => void): void;
}

/**
 * The one scope per process: kept in the process's state so that a client of the ESM
 * build sees the handlers a server of the CommonJS build runs, and the other way round.
 */
function handlerScope(): AsyncLocalStorage<HandlerCall | undefined> {
  return processState().handlerScope as AsyncLocalStorage<HandlerCall | undefined>;
}

/**
 * Runs `fn` in `call`'s scope, or outside any handler's for undefined. Node's async
 * hooks start following every promise of the process the first time a scope is
 * entered (docs/propagation.md has what that costs), so none is entered when the
 * current one is already right: a process that serves no generated handler never
 * enters one.
 */
export function runInHandlerScope<T>(call: HandlerCall | undefined, fn: () => T): T {
  const storage = handlerScope();
  return storage.getStore() === call ? fn() : storage.run(call, fn);
}

/**
 * Runs handler code in its call's scope, once the process has a generated client that
 * propagates (see `propagationWanted`). Until then handlers run as they are: entering a
 * scope turns on Node's promise hooks for the whole process (on Node 20), which a server
 * that makes no generated calls must not pay. A handler that started before the first
 * such client existed does not pass its deadline on (docs/propagation.md).
 */
export function runHandler<T>(call: HandlerCall, fn: () => T): T {
  return processState().propagating ? runInHandlerScope(call, fn) : fn();
}

/** A generated client that propagates was made: handlers enter their scope from now on. */
export function propagationWanted(): void {
  processState().propagating = true;
}

/** The call of the handler whose code runs now, if any. */
export function currentHandlerCall(): HandlerCall | undefined {
  return handlerScope().getStore();
}
