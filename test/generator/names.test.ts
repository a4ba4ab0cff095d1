// Services and methods with names that break naive JavaScript (built-ins, reserved
// words, Object.prototype members, names that clash after case conversion) generate
// code that serves and calls each method as its own, over a real socket.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ObjectClient, addObject } from "../../golden/edge/edge/hostile/v1/hostile_otel.js";
import type { ObjectHandlers } from "../../golden/edge/edge/hostile/v1/hostile_otel.js";
import { bindLocal } from "../support/listen.js";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

async function serve(register: (server: Server) => void): Promise<string> {
  const server = new Server();
  register(server);
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  cleanup.push(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

describe("hostile names", () => {
  it("route every method of a service called Object to its own handler", async () => {
    const answer = (name: string) => (request: { text: string }) => ({ text: `${name}:${request.text}` });
    const handlers: ObjectHandlers = {
      constructor$: answer("constructor"),
      then$: answer("then"),
      close$: answer("close"),
      toString$: answer("toString"),
      delete: answer("delete"),
      valueOf$: answer("valueOf"),
      hasOwnProperty$: answer("hasOwnProperty"),
      __proto__$: answer("__proto__"),
    };
    const address = await serve((server) => addObject(server, handlers, { telemetry: false }));
    const client = new ObjectClient(address, credentials.createInsecure(), { telemetry: false });
    cleanup.push(() => client.close());
    const replies = await Promise.all([
      client.constructor$({ text: "a" }),
      client.then$({ text: "b" }),
      client.close$({ text: "c" }),
      client.toString$({ text: "d" }),
      client.delete({ text: "e" }),
      client.valueOf$({ text: "f" }),
      client.hasOwnProperty$({ text: "g" }),
      client.__proto__$({ text: "h" }),
    ]);
    expect(replies.map((r) => r.text)).toEqual([
      "constructor:a",
      "then:b",
      "close:c",
      "toString:d",
      "delete:e",
      "valueOf:f",
      "hasOwnProperty:g",
      "__proto__:h",
    ]);
    // The client is not a thenable, and still closes with its own close().
    expect("then" in client).toBe(false);
  });
});
