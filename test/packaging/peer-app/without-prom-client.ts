// The peer-range app where prom-client is not installed: serveAndCall with
// OpenTelemetry's diag writing warnings to stderr, where the runtime says once that
// there are no Prometheus metrics. Prints one JSON line.
import { DiagConsoleLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import { serveAndCall, serverArgument } from "./serve-and-call.js";

diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
console.log(JSON.stringify(await serveAndCall(serverArgument())));
