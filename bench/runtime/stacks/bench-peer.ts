// What the workload driver needs from a client, and the bench process from a server,
// whatever the stack under them.

export interface BenchClient {
  /**
   * One unary call; resolves to the response, whose payload echoes the request's. The
   * response itself, not a figure derived from it: a derived promise would cost the
   * stacks whose API returns a promise one more than those built on callbacks.
   */
  unary(payload: Uint8Array): Promise<{ readonly payload: Uint8Array }>;
  /** One server-streaming call of `messages` messages; resolves to the number read. */
  serverStream(messages: number): Promise<number>;
  /** One client-streaming call of `messages` requests; resolves to the count the server answered. */
  clientStream(messages: number): Promise<number>;
  /** One bidi call of `messages` requests, each answered; resolves to the number of answers read. */
  bidiStream(messages: number): Promise<number>;
  close(): void;
}

export interface BenchServer {
  readonly port: number;
  /** Handler invocations so far, all methods. */
  served(): number;
  stop(): Promise<void>;
}
