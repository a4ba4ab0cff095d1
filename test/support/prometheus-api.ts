// Prometheus's HTTP query API, as the end-to-end test uses it.

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

interface QueryResponse {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** Evaluates an instant query, at `time` (seconds since the epoch) or now. */
export async function instantQuery(baseUrl: string, promql: string, time?: number): Promise<VectorSample[]> {
  const url = new URL("/api/v1/query", baseUrl);
  url.searchParams.set("query", promql);
  if (time !== undefined) {
    url.searchParams.set("time", String(time));
  }
  const response = await fetch(url);
  const body = (await response.json()) as QueryResponse;
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`Prometheus refused ${promql}: ${body.error ?? response.statusText}`);
  }
  if (body.data.resultType !== "vector") {
    throw new Error(`expected a vector from ${promql}, got ${body.data.resultType}`);
  }
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** The one sample an instant query answers; fails when there is not exactly one. */
export async function singleValue(baseUrl: string, promql: string, time?: number): Promise<VectorSample> {
  const result = await instantQuery(baseUrl, promql, time);
  const [sample] = result;
  if (result.length !== 1 || sample === undefined) {
    throw new Error(`expected one sample from ${promql}, got ${JSON.stringify(result)}`);
  }
  return sample;
}
