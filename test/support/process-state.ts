// The runtime keeps some things once per process (see packages/runtime/src/process-state.ts):
// the faults it reported, registry metrics, servers. Tests that check "reported once"
// start each case from a process that has reported nothing yet.
import { VERSION } from "../../packages/runtime/src/version.js";

/** Forgets the runtime's process-wide state, as in a fresh process. */
export function resetProcessState(): void {
  Reflect.deleteProperty(globalThis, Symbol.for(`protoc-gen-ts-otel-runtime@${VERSION}`));
}
