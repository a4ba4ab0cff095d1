// The Kubernetes example (examples/kubernetes): every YAML document parses, and what
// has to line up does: Services and PodMonitors select the pods and name ports the
// containers declare, scrape annotations point at the metrics ports, the service's
// OTEL_* variables reach the collector's OTLP/HTTP receiver, the probes are gRPC health
// checks on the gRPC port, and the collector's pipelines use only components it defines.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { repoRoot } from "../support/paths.js";

const EXAMPLE_DIR = join(repoRoot, "examples", "kubernetes");

type Json = Record<string, unknown>;

interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  /** "default" when the manifest sets none (applied to the current namespace); "" for a Namespace. */
  readonly namespace: string;
  readonly body: Json;
}

function mapping(value: unknown, at: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${at}: expected a mapping`);
  }
  return value as Json;
}

function sequence(value: unknown, at: string): Json[] {
  if (!Array.isArray(value)) {
    throw new Error(`${at}: expected a sequence`);
  }
  return value.map((v: unknown, i) => mapping(v, `${at}[${String(i)}]`));
}

function text(value: unknown, at: string): string {
  if (typeof value !== "string") {
    throw new Error(`${at}: expected a string`);
  }
  return value;
}

function strings(value: unknown, at: string): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping(value ?? {}, at)).map(([k, v]) => [k, text(v, `${at}.${k}`)]));
}

function readManifests(): Manifest[] {
  return readdirSync(EXAMPLE_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(EXAMPLE_DIR, file), "utf8")).map((doc, i) => {
        const at = `${file} document ${String(i)}`;
        if (doc.errors.length > 0 || doc.warnings.length > 0) {
          throw new Error(`${at}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join("; ")}`);
        }
        const body = mapping(doc.toJS(), at);
        const metadata = mapping(body["metadata"], `${at}: metadata`);
        text(body["apiVersion"], `${at}: apiVersion`);
        return {
          file,
          kind: text(body["kind"], `${at}: kind`),
          name: text(metadata["name"], `${at}: metadata.name`),
          namespace:
            body["kind"] === "Namespace" ? "" : metadata["namespace"] === undefined ? "default" : text(metadata["namespace"], `${at}: metadata.namespace`),
          body,
        };
      }),
    );
}

const manifests = readManifests();

function find(kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.name === name);
  if (found === undefined) {
    throw new Error(`no ${kind} ${name}`);
  }
  return found;
}

interface Pod {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: Json;
  readonly containers: Json[];
}

function podOf(deployment: Manifest): Pod {
  const at = `${deployment.file}: Deployment ${deployment.name}`;
  const template = mapping(mapping(deployment.body["spec"], `${at}: spec`)["template"], `${at}: spec.template`);
  const metadata = mapping(template["metadata"], `${at}: template.metadata`);
  const spec = mapping(template["spec"], `${at}: template.spec`);
  return {
    labels: strings(metadata["labels"], `${at}: template labels`),
    annotations: strings(metadata["annotations"], `${at}: template annotations`),
    spec,
    containers: sequence(spec["containers"], `${at}: containers`),
  };
}

interface ContainerPort {
  readonly name: string | undefined;
  readonly containerPort: number;
}

function portsOf(pod: Pod): ContainerPort[] {
  return pod.containers.flatMap((c) =>
    sequence(c["ports"] ?? [], "ports").map((p) => ({
      name: typeof p["name"] === "string" ? p["name"] : undefined,
      containerPort: Number(p["containerPort"]),
    })),
  );
}

function containerPort(pod: Pod, name: string): number {
  const port = portsOf(pod).find((p) => p.name === name);
  if (port === undefined) {
    throw new Error(`no container port named ${name}`);
  }
  return port.containerPort;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Why a Service does not reach the pods of a Deployment; empty when it does. */
function servicePortProblems(service: Json, pod: Pod): string[] {
  const spec = mapping(service["spec"], "service spec");
  const problems: string[] = [];
  if (!selects(strings(spec["selector"], "selector"), pod.labels)) {
    problems.push("selector does not match the pod labels");
  }
  const declared = portsOf(pod);
  for (const port of sequence(spec["ports"], "service ports")) {
    const target = port["targetPort"] ?? port["port"];
    const matches = declared.some((p) => (typeof target === "number" ? p.containerPort === target : p.name === target));
    if (!matches) {
      problems.push(`port ${String(port["name"])}: targetPort ${String(target)} is not a container port`);
    }
  }
  return problems;
}

/** Why a collector configuration's pipelines would not start; empty when they would. */
function pipelineProblems(config: Json): string[] {
  const service = mapping(config["service"], "service");
  const problems: string[] = [];
  const defined = (section: string): Set<string> => new Set(Object.keys(mapping(config[section] ?? {}, section)));
  for (const extension of (service["extensions"] ?? []) as string[]) {
    if (!defined("extensions").has(extension)) {
      problems.push(`extension ${extension} is not defined`);
    }
  }
  for (const [name, value] of Object.entries(mapping(service["pipelines"], "pipelines"))) {
    const pipeline = mapping(value, name);
    for (const [field, section, required] of [
      ["receivers", "receivers", true],
      ["processors", "processors", false],
      ["exporters", "exporters", true],
    ] as const) {
      const used = (pipeline[field] ?? []) as string[];
      if (required && used.length === 0) {
        problems.push(`${name}: no ${field}`);
      }
      for (const component of used) {
        if (!defined(section).has(component)) {
          problems.push(`${name}: ${field.slice(0, -1)} ${component} is not defined`);
        }
      }
    }
  }
  return problems;
}

const portOfEndpoint = (endpoint: unknown): number => Number(/:(\d+)$/.exec(text(endpoint, "endpoint"))?.[1]);

const service = find("Deployment", "user-service");
const servicePod = podOf(service);
const collector = find("Deployment", "otel-collector");
const collectorPod = podOf(collector);
const collectorConfigMap = find("ConfigMap", "otel-collector-config");
const collectorConfig = mapping(parse(text(strings(collectorConfigMap.body["data"], "data")["config.yaml"], "config.yaml")), "config.yaml");

describe("the Kubernetes example", () => {
  it("parses, document by document, into the expected objects", () => {
    expect(manifests.map((m) => `${m.file}: ${m.kind} ${m.namespace === "" ? "" : `${m.namespace}/`}${m.name}`)).toEqual([
      "otel-collector.yaml: Namespace observability",
      "otel-collector.yaml: ConfigMap observability/otel-collector-config",
      "otel-collector.yaml: Deployment observability/otel-collector",
      "otel-collector.yaml: Service observability/otel-collector",
      "podmonitors.yaml: PodMonitor default/user-service",
      "podmonitors.yaml: PodMonitor observability/otel-collector",
      "user-service.yaml: Deployment default/user-service",
      "user-service.yaml: Service default/user-service",
    ]);
  });

  it("has Services that select their Deployment's pods and target ports the containers declare", () => {
    for (const [name, pod] of [
      ["user-service", servicePod],
      ["otel-collector", collectorPod],
    ] as const) {
      const svc = find("Service", name);
      expect(svc.namespace).toBe(find("Deployment", name).namespace);
      expect(servicePortProblems(svc.body, pod), name).toEqual([]);
    }
  });

  it("has scrape annotations on the metrics ports: the service's /metrics and the collector's prometheus exporter", () => {
    for (const [pod, port] of [
      [servicePod, containerPort(servicePod, "metrics")],
      [collectorPod, portOfEndpoint(mapping(mapping(collectorConfig["exporters"], "exporters")["prometheus"], "prometheus")["endpoint"])],
    ] as const) {
      expect(pod.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" });
      expect(portsOf(pod).map((p) => p.containerPort)).toContain(port);
    }
  });

  it("has PodMonitors that select the pods by port name, the collector's keeping the exported job labels", () => {
    for (const [name, pod, port] of [
      ["user-service", servicePod, "metrics"],
      ["otel-collector", collectorPod, "prom-metrics"],
    ] as const) {
      const monitor = find("PodMonitor", name);
      expect(monitor.namespace).toBe(find("Deployment", name).namespace);
      const spec = mapping(monitor.body["spec"], "spec");
      expect(selects(strings(mapping(spec["selector"], "selector")["matchLabels"], "matchLabels"), pod.labels), name).toBe(true);
      const endpoints = sequence(spec["podMetricsEndpoints"], "podMetricsEndpoints");
      expect(endpoints.map((e) => e["port"])).toEqual([port]);
      expect(portsOf(pod).map((p) => p.name)).toContain(port);
      expect(endpoints[0]?.["honorLabels"] === true, `${name} honorLabels`).toBe(name === "otel-collector");
    }
  });

  it("configures OpenTelemetry through OTEL_* variables that reach the collector's OTLP/HTTP receiver", () => {
    const env = sequence(servicePod.containers[0]?.["env"], "env");
    const names = env.map((e) => text(e["name"], "env name"));
    expect(names).toEqual(expect.arrayContaining(["OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SEMCONV_STABILITY_OPT_IN"]));
    const value = (name: string): string => text(env.find((e) => e["name"] === name)?.["value"], name);
    expect(value("OTEL_SERVICE_NAME")).toBe("user-service");
    expect(value("OTEL_TRACES_SAMPLER")).toBe("parentbased_traceidratio");
    const ratio = Number(value("OTEL_TRACES_SAMPLER_ARG"));
    expect(ratio >= 0 && ratio <= 1, "OTEL_TRACES_SAMPLER_ARG in [0, 1]").toBe(true);
    expect(["rpc", "rpc/dup"]).toContain(value("OTEL_SEMCONV_STABILITY_OPT_IN"));
    expect(value("OTEL_EXPORTER_OTLP_PROTOCOL")).toBe("http/protobuf");
    // $(VAR) references only variables defined before them, as Kubernetes requires.
    for (const [i, e] of env.entries()) {
      const envValue = typeof e["value"] === "string" ? e["value"] : "";
      for (const ref of envValue.matchAll(/\$\((\w+)\)/g)) {
        expect(names.slice(0, i), `${String(e["name"])} uses $(${String(ref[1])})`).toContain(ref[1]);
      }
    }

    const endpoint = new URL(value("OTEL_EXPORTER_OTLP_ENDPOINT"));
    const collectorService = find("Service", "otel-collector");
    expect(endpoint.protocol).toBe("http:");
    expect(endpoint.hostname).toBe(`${collectorService.name}.${collectorService.namespace}.svc.cluster.local`);
    const servicePort = sequence(mapping(collectorService.body["spec"], "spec")["ports"], "ports").find((p) => String(p["port"]) === endpoint.port);
    expect(servicePort?.["targetPort"], "the Service port the endpoint names").toBe("otlp-http");
    const receiver = mapping(mapping(collectorConfig["receivers"], "receivers")["otlp"], "otlp");
    const protocols = mapping(receiver["protocols"], "protocols");
    expect(portOfEndpoint(mapping(protocols["http"], "http")["endpoint"])).toBe(containerPort(collectorPod, "otlp-http"));
    expect(portOfEndpoint(mapping(protocols["grpc"], "grpc")["endpoint"])).toBe(containerPort(collectorPod, "otlp-grpc"));
  });

  it("probes readiness and liveness with gRPC health checks on the gRPC port", () => {
    const container = servicePod.containers[0] ?? {};
    const grpcPort = containerPort(servicePod, "grpc");
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const spec = mapping(container[probe], probe);
      expect(Object.keys(spec).filter((k) => ["grpc", "httpGet", "tcpSocket", "exec"].includes(k)), probe).toEqual(["grpc"]);
      expect(mapping(spec["grpc"], `${probe}.grpc`)["port"], probe).toBe(grpcPort);
    }
    expect(mapping(mapping(container["readinessProbe"], "readinessProbe")["grpc"], "grpc")["service"]).toBe("user.v1.UserService");
  });

  it("runs a collector whose pipelines use only defined components, memory_limiter first and batch in each", () => {
    expect(pipelineProblems(collectorConfig)).toEqual([]);
    const pipelines = mapping(mapping(collectorConfig["service"], "service")["pipelines"], "pipelines");
    expect(Object.keys(pipelines).sort()).toEqual(["metrics", "traces"]);
    for (const [name, value] of Object.entries(pipelines)) {
      const processors = mapping(value, name)["processors"] as string[];
      expect(processors[0], name).toBe("memory_limiter");
      expect(processors, name).toContain("batch");
    }
    expect(mapping(pipelines["metrics"], "metrics")["exporters"]).toEqual(["prometheus"]);
    expect(mapping(pipelines["traces"], "traces")["exporters"]).toEqual(["otlp_grpc/tracing"]);
  });

  it("starts the collector with the ConfigMap's file, mounted where --config points", () => {
    const container = collectorPod.containers[0] ?? {};
    const volume = sequence(collectorPod.spec["volumes"], "volumes").find((v) => mapping(v["configMap"] ?? {}, "configMap")["name"] === collectorConfigMap.name);
    const mount = sequence(container["volumeMounts"], "volumeMounts").find((m) => m["name"] === volume?.["name"]);
    expect(collectorConfigMap.namespace).toBe(collector.namespace);
    expect(container["args"]).toEqual([`--config=${text(mount?.["mountPath"], "mountPath")}/config.yaml`]);
    expect(text(container["image"], "image")).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
  });
});

describe("the Kubernetes checks can fail", () => {
  it("a pipeline naming an exporter the configuration lacks", () => {
    const broken = structuredClone(collectorConfig);
    const traces = mapping(mapping(mapping(broken["service"], "service")["pipelines"], "pipelines")["traces"], "traces");
    traces["exporters"] = ["otlp_grpc/missing"];
    expect(pipelineProblems(broken)).toEqual(["traces: exporter otlp_grpc/missing is not defined"]);
  });

  it("a Service targeting a port no container declares", () => {
    const broken = structuredClone(find("Service", "user-service").body);
    const ports = sequence(mapping(broken["spec"], "spec")["ports"], "ports");
    const first = ports[0];
    if (first === undefined) {
      throw new Error("no port");
    }
    first["targetPort"] = "grcp";
    expect(servicePortProblems(broken, servicePod)).toEqual(["port grpc: targetPort grcp is not a container port"]);
  });
});
