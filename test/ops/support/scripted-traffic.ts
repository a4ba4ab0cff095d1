// Steady, scripted traffic to the demo's user.v1.UserService through a generated client:
// every tick one call of each of the five methods, all answered OK, until `startErrors`.
// From then on, in 1 of every `errorEvery` ticks, CreateUser is sent a request that does
// not parse (the server answers INTERNAL, a server error for the availability SLO) and
// GetUser asks for a user that does not exist (the server answers NOT_FOUND, which is no
// server error). Every outcome is counted, and one that differs from the script is kept
// for the test to fail on.
//
// The malformed request goes through a plain grpc-js Client, which sends any bytes; a
// generated client cannot. A deadline would be no substitute: when the client's reset
// comes before the server's own timer, the server records CANCELLED, which is no server
// error, and which of the two comes first is a race.
import { Client, credentials } from "@grpc/grpc-js";
import { UserServiceDefinition } from "../../../golden/user/user/v1/user_otel.js";
import type { UserServiceClient } from "../../../golden/user/user/v1/user_otel.js";
import { startTrafficLoop } from "./traffic-loop.js";
import type { TrafficLoop } from "./traffic-loop.js";

/** A user id the store never reaches, although every tick creates users. */
const MISSING_USER_ID = 999_999_999;

export interface TrafficOptions {
  /** Time from the start of one tick to the start of the next. */
  readonly tickMs: number;
  /** In error mode, 1 in this many ticks carries the two failing calls. */
  readonly errorEvery: number;
}

/** A CreateUserRequest cut short: field 1 (name) announces 5 bytes and has none. */
const MALFORMED_REQUEST = Buffer.from([0x0a, 0x05]);

/** The traffic; `startErrors` switches to error mode (see the header). */
export type ScriptedTraffic = TrafficLoop;

/** Starts the traffic through `client`, connected to `address`. */
export function startTraffic(client: UserServiceClient, address: string, options: TrafficOptions): ScriptedTraffic {
  const raw = new Client(address, credentials.createInsecure());
  const createUserPath = `/${UserServiceDefinition.typeName}/${UserServiceDefinition.methods.createUser.name}`;
  const sendMalformed = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const bytes = (buffer: Buffer): Buffer => buffer;
      raw.makeUnaryRequest(createUserPath, bytes, bytes, MALFORMED_REQUEST, (error) => (error ? reject(error) : resolve()));
    });
  const traffic = startTrafficLoop(options.tickMs, (n, errors, call) => {
    const failing = errors && n % options.errorEvery === 0;
    const user = { name: `User ${n}`, email: `user${n}@example.com` };
    return Promise.all([
      call("GetUser", failing ? "NOT_FOUND" : "OK", () => client.getUser({ userId: failing ? MISSING_USER_ID : 1 })),
      failing ? call("CreateUser", "INTERNAL", sendMalformed) : call("CreateUser", "OK", () => client.createUser(user)),
      call("ListUsers", "OK", async () => {
        for await (const _user of client.listUsers({ pageSize: 2, pageNumber: 0 })) {
          // Read to the end.
        }
      }),
      call("BatchCreateUsers", "OK", () => client.batchCreateUsers([user])),
      call("StreamUserUpdates", "OK", async () => {
        for await (const _reply of client.streamUserUpdates([{ userId: 1, field: "name", value: `Ada ${n}` }])) {
          // Read to the end.
        }
      }),
    ]);
  });

  return {
    ...traffic,
    async stop() {
      await traffic.stop();
      raw.close();
    },
  };
}
