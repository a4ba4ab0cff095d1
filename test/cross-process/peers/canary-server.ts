// The server of the canaries: plain grpc-js, no code of the runtime, recording what the
// runtime relies on grpc-js and Node to do (see canaries.test.ts). Every call carries
// `x-call-id`; `report` answers what each call's interceptor and handler saw.
import { Metadata, Server, ServerCredentials, ServerInterceptingCall, status } from "@grpc/grpc-js";
import type {
  ServerInterceptingCallInterface,
  ServerInterceptor,
  ServerReadableStream,
  ServerUnaryCall,
  ServiceDefinition,
  sendUnaryData,
} from "@grpc/grpc-js";
import { answerCommands } from "../support/peer.js";
import { bindLocal } from "../../support/listen.js";

/** What one call showed. */
export interface CanaryRecord {
  /** The handler got the very Metadata object the interceptor was given. */
  sameMetadata?: boolean;
  /** The handler's `startRead` reached the call the interceptor wraps. */
  readsForwarded: number;
  /** The order of the request stream's events and grpc-js's report of the call's end. */
  events: string[];
  /** `getPeer()` when grpc-js reported the call over: "unknown" once the stream is destroyed. */
  peerAtEnd?: string;
  /** Whether the server call offered `getHost()`. */
  hasGetHost?: boolean;
  /** The request's `user-agent`. */
  userAgent?: string;
}

const records = new Map<string, CanaryRecord>();
const record = (metadata: Metadata): CanaryRecord => {
  const id = String(metadata.get("x-call-id")[0] ?? "?");
  let found = records.get(id);
  if (found === undefined) {
    found = { readsForwarded: 0, events: [] };
    records.set(id, found);
  }
  return found;
};
const seen = new WeakMap<Metadata, CanaryRecord>();

/** Counts reads passed on to the wrapped call, as createServer()'s interceptor does. */
class CountingCall extends ServerInterceptingCall {
  counted: CanaryRecord | undefined;
  override startRead(): void {
    if (this.counted !== undefined) this.counted.readsForwarded += 1;
    super.startRead();
  }
}

const interceptor: ServerInterceptor = (_descriptor, call: ServerInterceptingCallInterface) => {
  const wrapped: CountingCall = new CountingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          const canary = record(metadata);
          seen.set(metadata, canary);
          wrapped.counted = canary;
          canary.hasGetHost = typeof (call as Partial<ServerInterceptingCallInterface>).getHost === "function";
          canary.userAgent = String(metadata.get("user-agent")[0] ?? "");
          nextMetadata(metadata);
        },
        onCancel() {
          if (wrapped.counted !== undefined) {
            wrapped.counted.events.push("onCancel");
            wrapped.counted.peerAtEnd = call.getPeer();
          }
        },
      });
    },
  });
  return wrapped;
};

const pass = (bytes: Buffer): Buffer => bytes;
const refuse = (): never => {
  throw new Error("cannot (de)serialize");
};

/** A response over the server's send limit, and the limit (every other response is empty). */
const OVERSIZE = 64;
const MAX_SEND = 16;

/** Unary methods answering as `x-answer` asks; an upload recording its events; (de)serializers that fail; a response over the send limit. */
const service: ServiceDefinition = {
  Unary: { path: "/canary.Canary/Unary", requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
  Upload: { path: "/canary.Canary/Upload", requestStream: true, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
  Unparsable: { path: "/canary.Canary/Unparsable", requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: refuse, responseSerialize: pass, responseDeserialize: pass },
  Unserializable: { path: "/canary.Canary/Unserializable", requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: refuse, responseDeserialize: pass },
  Oversize: { path: "/canary.Canary/Oversize", requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
  Missing: { path: "/canary.Canary/Missing", requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
};

const server = new Server({ interceptors: [interceptor], "grpc.max_send_message_length": MAX_SEND });
server.addService(service, {
  Unary(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
    const canary = record(call.metadata);
    canary.sameMetadata = seen.get(call.metadata) === canary;
    call.on("cancelled", () => canary.events.push("cancelled"));
    const answer = String(call.metadata.get("x-answer")[0] ?? "ok");
    if (answer === "error") callback({ code: status.NOT_FOUND, details: "no" });
    // Headers out, so that the client knows the handler runs; then nothing until the client ends the call.
    else if (answer === "wait") call.sendMetadata(new Metadata());
    else callback(null, Buffer.alloc(0));
  },
  Upload(call: ServerReadableStream<Buffer, Buffer>) {
    const canary = record(call.metadata);
    call.on("data", () => canary.events.push("data"));
    call.on("end", () => canary.events.push("end"));
    call.on("cancelled", () => canary.events.push("cancelled"));
  },
  Unparsable(_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
    callback(null, Buffer.alloc(0));
  },
  Oversize(_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
    callback(null, Buffer.alloc(OVERSIZE));
  },
  Unserializable(_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
    callback(null, Buffer.alloc(0));
  },
});

const port = await bindLocal(server, ServerCredentials.createInsecure());
answerCommands({ port }, { report: () => Object.fromEntries(records) });
