// Compares what each side's telemetry counted with the calls the client made.
import type { ClientReport, ServerReport } from "./protocol.js";
import type { SideProof } from "./proof.js";
import type { Variant } from "./variants.js";

export interface ProofCheck {
  readonly what: string;
  readonly expected: number;
  readonly got: number | undefined;
}

export function proofChecks(variant: Variant, client: ClientReport, server: ServerReport): ProofCheck[] {
  const calls = client.calls;
  const checks: ProofCheck[] = [{ what: "server handler calls", expected: calls, got: server.served }];
  const side = (name: "client" | "server", proof: SideProof): void => {
    if (variant.proves.spans) {
      checks.push({ what: `${name} spans (${name.toUpperCase()})`, expected: calls, got: proof.spans?.own });
      checks.push({ what: `${name} spans of other kinds`, expected: 0, got: proof.spans?.other });
    }
    if (variant.proves.otelMetrics) {
      checks.push({ what: `rpc.${name}.call.duration count`, expected: calls, got: proof.otelCalls });
    }
    if (variant.proves.prometheus !== undefined) {
      checks.push({ what: `grpc_${name}_handled_total`, expected: calls, got: proof.prometheusHandled });
    }
  };
  side("client", client.proof);
  side("server", server.proof);
  return checks;
}

export const passed = (check: ProofCheck): boolean => check.got === check.expected;
