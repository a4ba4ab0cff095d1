// Handlers enter their scope only once the process has a generated client that
// propagates (handler-scope.ts): a server that makes no generated calls never turns on
// Node's promise hooks for it. Prints, as JSON, whether a handler ran in its scope
// before any client, with only a client that opted out, and after a propagating one.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { TestServiceClient, addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { currentHandlerCall } from "../../../packages/runtime/src/handler-scope.js";
import { bindLocal } from "../../support/listen.js";

const server = new Server();
const handlers: Partial<TestServiceHandlers> = { unary: () => ({ text: currentHandlerCall() === undefined ? "outside" : "inside" }) };
addTestService(server, handlers as TestServiceHandlers, { telemetry: false });
const address = `127.0.0.1:${String(await bindLocal(server, ServerCredentials.createInsecure()))}`;

const seen: string[] = [];
const optedOut = new TestServiceClient(address, credentials.createInsecure(), { telemetry: false, propagate: false });
seen.push((await optedOut.unary({})).text);
seen.push((await optedOut.unary({}, { propagate: false })).text);
const propagating = new TestServiceClient(address, credentials.createInsecure(), { telemetry: false });
seen.push((await optedOut.unary({})).text);
seen.push((await propagating.unary({})).text);

optedOut.close();
propagating.close();
server.forceShutdown();
process.stdout.write(JSON.stringify(seen));
