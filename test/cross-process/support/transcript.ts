// The normalised transcript of one call (one HTTP/2 stream) as the frame proxy recorded
// it, and the first difference between two. Only what legitimately varies between two
// runs of the same call is normalised: `date`, `user-agent`, the value of `grpc-timeout`
// (its presence stays), the port in `:authority`, the call id, and on the request the
// headers telemetry adds on purpose (traceparent, tracestate, baggage). Header sets are
// compared as sorted lists; messages by their flag, length and bytes. Within one
// direction the order of items is kept: headers, messages, END_STREAM, trailers,
// RST_STREAM. How messages were cut into DATA frames, and whether END_STREAM came on
// the last DATA frame or an empty one, is not compared: peers may cut frames anywhere.
import { createHash } from "node:crypto";
import type { HeaderField } from "./hpack.js";
import type { StreamFrame } from "./h2-proxy.js";

export interface CallTranscript {
  /** Client to server. */
  readonly request: readonly string[];
  /** Server to client. */
  readonly response: readonly string[];
}

const TELEMETRY_HEADERS = new Set(["traceparent", "tracestate", "baggage"]);

/** RFC 9113 section 7. */
const RST_CODES = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"];

function normalised(fields: readonly HeaderField[], side: "client" | "server"): string {
  return fields
    .flatMap(([name, value]): string[] => {
      if (side === "client" && TELEMETRY_HEADERS.has(name)) return [];
      switch (name) {
        case "date":
        case "user-agent":
        case "grpc-timeout":
        case "x-call-id":
          return [`${name}=<${name}>`];
        case ":authority":
          return [`${name}=${value.replace(/:\d+$/, ":<port>")}`];
        default:
          return [`${name}=${value}`];
      }
    })
    .sort()
    .join(" ");
}

function message(frame: Extract<StreamFrame, { kind: "message" }>): string {
  const shown = frame.bytes.subarray(0, 32).toString("hex");
  const rest = frame.bytes.length > 32 ? `… sha256:${createHash("sha256").update(frame.bytes).digest("hex").slice(0, 12)}` : "";
  return `message compressed=${String(frame.compressed)} length=${String(frame.length)} ${shown}${rest}`;
}

/** The transcript of one stream. */
export function transcriptOf(frames: readonly StreamFrame[]): CallTranscript {
  const request: string[] = [];
  const response: string[] = [];
  let responseHeaders = false;
  for (const frame of frames) {
    const lines = frame.from === "client" ? request : response;
    switch (frame.kind) {
      case "headers": {
        let what: string;
        if (frame.from === "client") what = "headers";
        else if (!responseHeaders) what = frame.endStream ? "trailers-only" : "headers";
        else what = frame.endStream ? "trailers" : "trailers without END_STREAM";
        if (frame.from === "server") responseHeaders = true;
        lines.push(`${what} ${normalised(frame.headers, frame.from)}`);
        break;
      }
      case "message":
        lines.push(message(frame));
        break;
      case "incomplete":
        lines.push(`incomplete message, ${String(frame.bytes)} bytes`);
        break;
      case "end-stream":
        lines.push(frame.from === "client" ? "half-close" : "END_STREAM on DATA");
        break;
      case "rst":
        lines.push(`RST_STREAM ${RST_CODES[frame.code] ?? String(frame.code)}`);
        break;
    }
  }
  return { request, response };
}

/** The grpc-status a stream's server side carried, if a status went out. */
export function wireStatus(transcript: CallTranscript): number | undefined {
  for (const line of transcript.response) {
    const match = /^(?:trailers-only|trailers) .*\bgrpc-status=(\d+)/.exec(line);
    if (match !== null) return Number(match[1]);
  }
  return undefined;
}

/**
 * The transcript without what timing decides in a racy row: RST_STREAM frames, and a
 * server status (trailers, or a trailers-only response) with one of `racyStatuses`.
 */
export function withoutRace(transcript: CallTranscript, racyStatuses: readonly number[]): CallTranscript {
  const racy = (line: string): boolean => {
    if (line.startsWith("RST_STREAM")) return true;
    const match = /^(?:trailers-only|trailers) .*\bgrpc-status=(\d+)/.exec(line);
    return match !== null && racyStatuses.includes(Number(match[1]));
  };
  return { request: transcript.request.filter((l) => !racy(l)), response: transcript.response.filter((l) => !racy(l)) };
}

/** The first line where two transcripts differ, or undefined when they are equal. */
export function firstDifference(expected: CallTranscript, actual: CallTranscript): string | undefined {
  for (const side of ["request", "response"] as const) {
    const a = expected[side];
    const b = actual[side];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) return `${side}[${String(i)}]: ${a[i] ?? "(nothing)"}  ≠  ${b[i] ?? "(nothing)"}`;
    }
  }
  return undefined;
}
