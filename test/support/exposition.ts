// Reads a Prometheus text or OpenMetrics exposition back into samples, so tests assert
// on what a scraper would see rather than on the runtime's internals.

export type LabelSet = Readonly<Record<string, string>>;

export interface ExpositionSample {
  /** The line's metric name, with its `_total`, `_bucket`, `_sum` or `_count` suffix. */
  readonly name: string;
  readonly labels: LabelSet;
  readonly value: number;
  readonly exemplar?: { readonly labels: LabelSet; readonly value: number; readonly timestamp?: number };
}

export interface Exposition {
  /** `# HELP` text by family name as written. */
  readonly help: ReadonlyMap<string, string>;
  /** `# TYPE` by family name as written. */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly ExpositionSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*?)\})? (\S+)(?: \d+)?(?: # \{(.*?)\} (\S+)(?: (\S+))?)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const samples: ExpositionSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line === "# EOF") {
      continue;
    }
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === "HELP" ? help : types).set(meta[2] ?? "", meta[3] ?? "");
      continue;
    }
    const match = SAMPLE.exec(line);
    if (match === null) {
      throw new Error(`not an exposition line: ${line}`);
    }
    const [, name = "", labels = "", value = "", exemplarLabels, exemplarValue, exemplarTimestamp] = match;
    const sample: ExpositionSample = { name, labels: parseLabels(labels), value: Number(value) };
    samples.push(
      exemplarLabels === undefined
        ? sample
        : {
            ...sample,
            exemplar: {
              labels: parseLabels(exemplarLabels),
              value: Number(exemplarValue),
              ...(exemplarTimestamp === undefined ? {} : { timestamp: Number(exemplarTimestamp) }),
            },
          },
    );
  }
  return { help, types, samples };
}

function parseLabels(text: string): LabelSet {
  const labels: Record<string, string> = {};
  for (const [, key = "", value = ""] of text.matchAll(LABEL)) {
    labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: LabelSet = {}): ExpositionSample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The value of the one sample of `name` with `labels`; fails unless exactly one matches. */
export function valueOf(exposition: Exposition, name: string, labels: LabelSet = {}): number {
  const matches = samplesOf(exposition, name, labels);
  if (matches.length !== 1 || matches[0] === undefined) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${matches.length}`);
  }
  return matches[0].value;
}

/** The sum of every sample of `name` with `labels`. */
export function sumOf(exposition: Exposition, name: string, labels: LabelSet = {}): number {
  return samplesOf(exposition, name, labels).reduce((sum, s) => sum + s.value, 0);
}
