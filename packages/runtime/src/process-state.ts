import { AsyncLocalStorage } from "node:async_hooks";
import { VERSION } from "./version.js";

/**
 * What the runtime keeps per process rather than per client or server. The ESM and
 * CommonJS builds of this package are two module instances in a process that loads
 * both (an ESM app with a CommonJS dependency, say); they share this state through a
 * registered symbol, so both count into the same Prometheus cells of a registry and
 * report a fault once. The key carries the version: another version of the package
 * keeps its own state (and its own shape of everything in it).
 */
export interface ProcessState {
  /** Per Prometheus registry, what the runtime registered there (a RegistryMetrics). */
  readonly registries: WeakMap<object, unknown>;
  /** prom-client's global registry, once looked for (see prometheus/default-registry.ts). */
  defaultRegistry: unknown;
  /** Fault kinds already reported through `diag`. */
  readonly reported: Set<string>;
  /** Servers made by `createServer`, with what their interceptor knows. */
  readonly servers: WeakMap<object, unknown>;
  /** Calls the interceptor of such a server saw, by their request metadata, for their handlers. */
  readonly interceptedCalls: WeakMap<object, unknown>;
  /** Which generated handler's call the code running now belongs to (see handler-scope.ts). */
  readonly handlerScope: AsyncLocalStorage<unknown>;
  /** A generated client that propagates exists: handlers enter the scope from now on (see handler-scope.ts). */
  propagating: boolean;
}

const KEY = Symbol.for(`protoc-gen-ts-otel-runtime@${VERSION}`);

/** The process's state, created on first use (never at import). */
export function processState(): ProcessState {
  const holder = globalThis as { [KEY]?: ProcessState };
  let state = holder[KEY];
  if (state === undefined) {
    state = {
      registries: new WeakMap(),
      defaultRegistry: undefined,
      reported: new Set(),
      servers: new WeakMap(),
      interceptedCalls: new WeakMap(),
      handlerScope: new AsyncLocalStorage(),
      propagating: false,
    };
    holder[KEY] = state;
  }
  return state;
}

/** Runs `report` the first time `kind` is reported in this process, and never again. */
export function reportOnce(kind: string, report: () => void): void {
  const { reported } = processState();
  if (!reported.has(kind)) {
    reported.add(kind);
    report();
  }
}
