// rpcs whose names differ only in the case of their first letter. Outside the root
// tsconfig: protoc-gen-es's own output for this proto does not compile (duplicate
// members in its service type), although our generated file does; see
// test/generator/typecheck.test.ts, which checks ours.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { WidgetClient, addWidget } from "../../golden/clash/edge/clash/v1/clash_otel.js";
import { bindLocal } from "../support/listen.js";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

describe("names that clash after case conversion", () => {
  it("keep rpcs whose names differ only in case apart", async () => {
    const server = new Server();
    addWidget(
      server,
      {
        getItem: (request) => ({ id: `GetItem ${request.id}` }),
        getItem$: (request) => ({ id: `getItem ${request.id}` }),
        add: (request) => ({ id: `Add ${request.id}` }),
      },
      { telemetry: false },
    );
    const port = await bindLocal(server, ServerCredentials.createInsecure());
    cleanup.push(() => server.forceShutdown());
    const address = `127.0.0.1:${port}`;
    const client = new WidgetClient(address, credentials.createInsecure(), { telemetry: false });
    cleanup.push(() => client.close());
    expect((await client.getItem({ id: "1" })).id).toBe("GetItem 1");
    expect((await client.getItem$({ id: "2" })).id).toBe("getItem 2");
    expect((await client.add({ id: "3" })).id).toBe("Add 3");
  });
});
