// Steady, scripted traffic to the golden "slo" case's slo.v1.CheckoutService and
// slo.v1.InventoryService through their generated clients: every tick one call of each
// method, all answered OK, until `startErrors`. From then on, 1 in `errorEvery` calls of
// PlaceOrder (99.9%) and of GetCart (its own 99%) fail with INTERNAL, every other
// FindProduct answers NOT_FOUND and every other Ping INTERNAL (Ping's SLO is switched
// off). The same error ratio breaks PlaceOrder's objective and not GetCart's. Every
// outcome is counted; one that differs from the script is kept for the test to fail on.
import { setTimeout as delay } from "node:timers/promises";
import { Metadata } from "@grpc/grpc-js";
import { Code, RpcError, codeName } from "protoc-gen-ts-otel-runtime";
import type { CheckoutServiceClient, CheckoutServiceHandlers, InventoryServiceClient, InventoryServiceHandlers } from "../../../golden/slo/slo/v1/checkout_otel.js";
import { Priority } from "../../../golden/slo/slo/v1/checkout_pb.js";
import { startTrafficLoop } from "./traffic-loop.js";
import type { TrafficLoop } from "./traffic-loop.js";

/** The request ids the handlers fail on. */
const FAIL = "fail";

/** Handlers that answer as the request says: an id starting with `fail` fails. */
export const checkoutHandlers: CheckoutServiceHandlers = {
  placeOrder: (request) => answer(request.cartId, Code.INTERNAL, { orderId: request.cartId }),
  getCart: (request) => answer(request.cartId, Code.INTERNAL, { skus: [] }),
  findProduct: (request) => answer(request.sku, Code.NOT_FOUND, { name: request.sku }),
  quote: async (request) => {
    await delay(request.delayMs);
    return { cents: 100n };
  },
  async *watchOrder(request) {
    yield { status: `shipped ${request.orderId}` };
  },
  ping: (_request, context) => answer(context.metadata.get("x-fail").length > 0 ? FAIL : "", Code.INTERNAL, {}),
};

export const inventoryHandlers: InventoryServiceHandlers = {
  async *listStock() {
    yield { count: 1 };
  },
  reserve: () => ({}),
};

function answer<T>(id: string, code: Code, response: T): T {
  if (id.startsWith(FAIL)) {
    throw new RpcError(code, `scripted ${codeName(code)}`);
  }
  return response;
}

export interface SloTrafficOptions {
  /** Time from the start of one tick to the start of the next. */
  readonly tickMs: number;
  /** In error mode, 1 in this many PlaceOrder and GetCart calls fail. */
  readonly errorEvery: number;
}


const PRIORITIES = [Priority.STANDARD, Priority.EXPRESS, Priority.UNSPECIFIED];

/** Starts the traffic through the two clients. */
export function startSloTraffic(checkout: CheckoutServiceClient, inventory: InventoryServiceClient, options: SloTrafficOptions): TrafficLoop {
  return startTrafficLoop(options.tickMs, (n, errors, call) => {
    const failing = errors && n % options.errorEvery === 0;
    const everyOther = errors && n % 2 === 0;
    const id = (fails: boolean): string => `${fails ? FAIL : "ok"}-${String(n)}`;
    return Promise.all([
      call("PlaceOrder", failing ? "INTERNAL" : "OK", () =>
        checkout.placeOrder({ cartId: id(failing), priority: PRIORITIES[n % PRIORITIES.length] ?? Priority.UNSPECIFIED, gift: n % 2 === 0 }),
      ),
      call("GetCart", failing ? "INTERNAL" : "OK", () => checkout.getCart({ cartId: id(failing) })),
      call("FindProduct", everyOther ? "NOT_FOUND" : "OK", () => checkout.findProduct({ sku: id(everyOther) })),
      call("Ping", everyOther ? "INTERNAL" : "OK", () => checkout.ping({}, everyOther ? { metadata: failMetadata() } : {})),
      call("Quote", "OK", () => checkout.quote({ sku: id(false), delayMs: 0 })),
      call("WatchOrder", "OK", async () => {
        for await (const _update of checkout.watchOrder({ orderId: id(false) })) {
          // Read to the end.
        }
      }),
      call("ListStock", "OK", async () => {
        for await (const _stock of inventory.listStock({ sku: id(false) })) {
          // Read to the end.
        }
      }),
      call("Reserve", "OK", () => inventory.reserve({ sku: id(false) })),
    ]);
  });
}

/** Ping takes an empty request: the metadata says it fails. */
function failMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set("x-fail", "1");
  return metadata;
}
