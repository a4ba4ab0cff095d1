import { DiagLogLevel, diag } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import { afterEach } from "vitest";

export interface DiagMessage {
  readonly level: "error" | "warn";
  readonly message: string;
}

/**
 * Captures what the runtime reports through OpenTelemetry's `diag` (errors and warnings)
 * during each test of a file; the logger is removed after each test.
 */
export function captureDiag(): DiagMessage[] {
  const messages: DiagMessage[] = [];
  const logger: DiagLogger = {
    error: (message) => messages.push({ level: "error", message }),
    warn: (message) => messages.push({ level: "warn", message }),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  afterEach(() => {
    messages.length = 0;
  });
  return messages;
}
