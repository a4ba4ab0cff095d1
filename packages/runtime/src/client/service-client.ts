import { Client, credentials } from "@grpc/grpc-js";
import type { ChannelCredentials, ChannelInterface as Channel, ChannelOptions } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type {
  BidiStreamingMethod,
  ClientStreamingMethod,
  ServerStreamingMethod,
  ServiceDefinition,
  UnaryMethod,
} from "../service.js";
import { propagationWanted } from "../handler-scope.js";
import { resolveTelemetry } from "../telemetry/hub.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { callBidiStreaming } from "./bidi-streaming.js";
import type { CallOptions } from "./call-options.js";
import { callClientStreaming } from "./client-streaming.js";
import { interceptBidiStreaming, interceptClientStreaming, interceptServerStreaming, interceptUnary } from "./intercepted-calls.js";
import type { Interception } from "./intercepted-calls.js";
import type { ClientInterceptor } from "./interceptors.js";
import type { RequestStream } from "./send-requests.js";
import { callServerStreaming } from "./server-streaming.js";
import { callUnary } from "./unary.js";

/** Options of a generated client. */
export interface ClientOptions {
  /** grpc-js channel options, used when the client creates its own channel. */
  channelOptions?: ChannelOptions | undefined;
  /** What every call emits; default traces and metrics (see TelemetryOptions), `false` for none. */
  telemetry?: TelemetryOption | undefined;
  /**
   * Interceptors of every call of this client, the first outermost; a call's own
   * (`CallOptions.interceptors`) run inside them. See docs/interceptors.md.
   */
  interceptors?: readonly ClientInterceptor[] | undefined;
  /**
   * `false`: calls made inside a generated handler do not inherit its deadline and
   * cancellation, unless a call's own `propagate` option says so (see CallOptions and
   * docs/propagation.md).
   */
  propagate?: boolean | undefined;
}

/**
 * How a generated client is constructed: from an address and credentials (the client
 * owns the channel and `close()` closes it), or on an existing grpc-js Channel or
 * Client (shared; `close()` leaves it open).
 */
export type ClientArgs =
  | [address: string, credentials: ChannelCredentials, options?: ClientOptions | undefined]
  | [channel: Channel | Client, options?: ClientOptions | undefined];

/** The options of a call given none: shared, so that such a call allocates none. */
const NO_OPTIONS: CallOptions = Object.freeze({});

/** Those of such a call on a client that does not propagate. */
const ON_ITS_OWN: CallOptions = Object.freeze({ propagate: false });

/**
 * The calls of one service over one grpc-js Client. Generated client classes hold
 * one and forward each method to it.
 */
export class ServiceClient {
  private readonly client: Client;
  private readonly ownsChannel: boolean;
  private readonly observers: readonly (MethodObserver<ClientCallStart> | undefined)[];
  private readonly interceptors: readonly ClientInterceptor[];
  /** The client's `propagate` option: a call's own wins. */
  private readonly propagate: boolean;

  constructor(service: ServiceDefinition, ...args: ClientArgs) {
    let options: ClientOptions | undefined;
    if (typeof args[0] === "string") {
      const [address, credentials, clientOptions] = args as [string, ChannelCredentials, ClientOptions?];
      options = clientOptions;
      this.client = new Client(address, credentials, options?.channelOptions);
      this.ownsChannel = true;
    } else {
      const [target, clientOptions] = args as [Channel | Client, ClientOptions?];
      options = clientOptions;
      // With channelOverride grpc-js never looks at the credentials argument.
      this.client = isClient(target)
        ? target
        : new Client(target.getTarget(), credentials.createInsecure(), { channelOverride: target });
      this.ownsChannel = false;
    }
    const telemetry = resolveTelemetry(options?.telemetry);
    const target = this.client.getChannel().getTarget();
    this.observers = service.methodList.map((method) => telemetry?.clientMethodObserver(method, target));
    this.interceptors = options?.interceptors ?? [];
    this.propagate = options?.propagate !== false;
    if (this.propagate) {
      propagationWanted();
    }
  }

  unary<I extends DescMessage, O extends DescMessage>(
    method: UnaryMethod<I, O>,
    request: MessageInitShape<I>,
    options: CallOptions = NO_OPTIONS,
  ): Promise<MessageShape<O>> {
    // Checked inline: a call without interceptors costs nothing more.
    return this.interceptors.length === 0 && options.interceptors === undefined
      ? callUnary(this.client, method, this.observers[method.index], request, this.callOptions(options))
      : interceptUnary(this.interception(method.index, options), method, request, this.callOptions(options));
  }

  serverStreaming<I extends DescMessage, O extends DescMessage>(
    method: ServerStreamingMethod<I, O>,
    request: MessageInitShape<I>,
    options: CallOptions = NO_OPTIONS,
  ): AsyncIterable<MessageShape<O>> {
    return this.interceptors.length === 0 && options.interceptors === undefined
      ? callServerStreaming(this.client, method, this.observers[method.index], request, this.callOptions(options))
      : interceptServerStreaming(this.interception(method.index, options), method, request, this.callOptions(options));
  }

  clientStreaming<I extends DescMessage, O extends DescMessage>(
    method: ClientStreamingMethod<I, O>,
    requests: RequestStream<I>,
    options: CallOptions = NO_OPTIONS,
  ): Promise<MessageShape<O>> {
    return this.interceptors.length === 0 && options.interceptors === undefined
      ? callClientStreaming(this.client, method, this.observers[method.index], requests, this.callOptions(options))
      : interceptClientStreaming(this.interception(method.index, options), method, requests, this.callOptions(options));
  }

  bidiStreaming<I extends DescMessage, O extends DescMessage>(
    method: BidiStreamingMethod<I, O>,
    requests: RequestStream<I>,
    options: CallOptions = NO_OPTIONS,
  ): AsyncIterable<MessageShape<O>> {
    return this.interceptors.length === 0 && options.interceptors === undefined
      ? callBidiStreaming(this.client, method, this.observers[method.index], requests, this.callOptions(options))
      : interceptBidiStreaming(this.interception(method.index, options), method, requests, this.callOptions(options));
  }

  /** What a call with interceptors needs: the client's, then the call's own. */
  private interception(index: number, options: CallOptions): Interception {
    const own = options.interceptors ?? [];
    const interceptors = own.length === 0 ? this.interceptors : this.interceptors.length === 0 ? own : [...this.interceptors, ...own];
    return { client: this.client, observer: this.observers[index], interceptors };
  }

  /** A call's options with the client's `propagate` applied. */
  private callOptions(options: CallOptions): CallOptions {
    if (this.propagate) {
      return options;
    }
    if (options.propagate === true) {
      // Handlers enter their scope from now on; this call finds none if its handler started before.
      propagationWanted();
      return options;
    }
    return options.propagate === false ? options : options === NO_OPTIONS ? ON_ITS_OWN : { ...options, propagate: false };
  }

  /** Closes the channel if this client created it; a shared channel stays open. */
  close(): void {
    if (this.ownsChannel) {
      this.client.close();
    }
  }
}

// Duck-typed rather than instanceof: the caller's grpc-js may be another copy.
function isClient(value: Channel | Client): value is Client {
  return typeof (value as Partial<Client>).getChannel === "function";
}
