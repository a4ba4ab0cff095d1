import type { MethodDefinition } from "../service.js";
import type { LabelCombinations } from "./metric-labels.js";
import type { ParsedTarget } from "./parse-target.js";

// What is known of a method before any observer sees it (the CallMeta of
// go-grpc-middleware's interceptors): built once per method of a client or server, by
// the hub, and handed to every observer, built-in or not.

/** Where a client sends its calls: the channel target, as given and as parsed. */
export interface ClientTarget {
  readonly target: string;
  readonly server: ParsedTarget;
}

/** One method on one side. */
export type MethodFacts = ClientMethodFacts | ServerMethodFacts;

/** One method of a client. */
export interface ClientMethodFacts {
  readonly side: "client";
  readonly method: MethodDefinition;
  /** The method's metric labels from the request, crossed. */
  readonly labels: LabelCombinations;
  readonly client: ClientTarget;
}

/** One method of a server. */
export interface ServerMethodFacts {
  readonly side: "server";
  readonly method: MethodDefinition;
  readonly labels: LabelCombinations;
  readonly client?: undefined;
}
