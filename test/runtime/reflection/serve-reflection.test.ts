// serveReflection on real sockets, queried by an independent client (grpc-js +
// proto-loader + protobufjs, see support/reflection-client.ts), and compared with
// @grpc/reflection's own server given proto-loader definitions of the same protos.
import { join } from "node:path";
import { Server, ServerCredentials, status } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "protoc-gen-ts-otel-runtime";
import { serveReflection } from "protoc-gen-ts-otel-runtime";
import { ClockServiceDefinition, addClockService } from "../../../golden/edge/edge/wkt/v1/wkt_otel.js";
import type { ClockServiceHandlers } from "../../../golden/edge/edge/wkt/v1/wkt_otel.js";
import { ClockService } from "../../../golden/edge/edge/wkt/v1/wkt_pb.js";
import { LookupServiceDefinition } from "../../../golden/edge/edge/imports/v1/imports_otel.js";
import { OrderServiceDefinition, addOrderService } from "../../../golden/options/shop/v1/orders_otel.js";
import type { OrderServiceHandlers } from "../../../golden/options/shop/v1/orders_otel.js";
import { TestServiceDefinition, addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { repoRoot } from "../../support/paths.js";
import { ReflectionStream, filesOf, findMessage } from "./reflection-client.js";
import type { DecodedField, ReflectionResponse, ReflectionVersion } from "./reflection-client.js";
import { bindLocal } from "../../support/listen.js";

const REFLECTION_SERVICES = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];

async function listen(server: Server): Promise<string> {
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  return `127.0.0.1:${port}`;
}

function servicesOf(response: ReflectionResponse): string[] {
  expect(response.message_response).toBe("list_services_response");
  return (response.list_services_response?.service ?? []).map((s) => s.name);
}

function errorOf(response: ReflectionResponse): { code: number; message: string } {
  expect(response.message_response).toBe("error_response");
  return { code: response.error_response?.error_code ?? -1, message: response.error_response?.error_message ?? "" };
}

/** A field reduced to what both servers must agree on. */
function shape(field: DecodedField): string {
  return `${field.number} ${field.name} ${field.label ?? ""} ${field.type ?? ""} ${field.typeName ?? ""}`;
}

describe("serveReflection on a createServer() server", () => {
  let server: Server;
  let address: string;
  const open: ReflectionStream[] = [];
  const stream = (version: ReflectionVersion = "v1"): ReflectionStream => {
    const s = new ReflectionStream(address, version);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    server = createServer();
    // Handlers are never called here: reflection describes, it does not call.
    addTestService(server, {} as TestServiceHandlers);
    addOrderService(server, {} as OrderServiceHandlers);
    addClockService(server, {} as ClockServiceHandlers);
    // ClockService's messages are all well-known types: its file is found from its
    // protoc-gen-es descriptor, not from ClockServiceDefinition.
    serveReflection(server, [TestServiceDefinition, OrderServiceDefinition, ClockService]);
    address = await listen(server);
  });

  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    server.forceShutdown();
  });

  it.each<ReflectionVersion>(["v1", "v1alpha"])("lists the services and the reflection services (%s)", async (version) => {
    const response = await stream(version).ask({ list_services: "*" });
    expect(servicesOf(response)).toEqual([
      "edge.wkt.v1.ClockService",
      ...REFLECTION_SERVICES,
      "shop.v1.OrderService",
      "tsotel.testing.v1.TestService",
    ]);
    expect(response.original_request).toMatchObject({ list_services: "*" });
  });

  it("resolves a method, then its input and output types with their fields, on one stream", async () => {
    const s = stream("v1alpha");
    const [serviceFile, ...deps] = filesOf(await s.ask({ file_containing_symbol: "tsotel.testing.v1.TestService.Unary" }));
    expect(serviceFile?.name).toBe("tsotel/testing/v1/test_service.proto");
    expect(deps).toEqual([]);
    const unary = serviceFile?.service?.find((svc) => svc.name === "TestService")?.method?.find((m) => m.name === "Unary");
    expect(unary).toMatchObject({ inputType: ".tsotel.testing.v1.UnaryRequest", outputType: ".tsotel.testing.v1.UnaryResponse" });
    const bidi = serviceFile?.service?.[0]?.method?.find((m) => m.name === "BidiStream");
    expect(bidi).toMatchObject({ clientStreaming: true, serverStreaming: true });

    // The file was sent on this stream already; as the requested file it comes again.
    const input = filesOf(await s.ask({ file_containing_symbol: "tsotel.testing.v1.UnaryRequest" }));
    expect(input.map((f) => f.name)).toEqual(["tsotel/testing/v1/test_service.proto"]);
    expect(findMessage(input, "tsotel.testing.v1.UnaryRequest")?.field?.map(shape)).toEqual([
      "1 text LABEL_OPTIONAL TYPE_STRING ",
      "2 count LABEL_OPTIONAL TYPE_INT32 ",
      "3 payload LABEL_OPTIONAL TYPE_BYTES ",
      "4 behavior LABEL_OPTIONAL TYPE_ENUM .tsotel.testing.v1.Behavior",
      "5 status_code LABEL_OPTIONAL TYPE_INT32 ",
    ]);
    const output = filesOf(await s.ask({ file_containing_symbol: "tsotel.testing.v1.UnaryResponse" }));
    expect(findMessage(output, "tsotel.testing.v1.UnaryResponse")?.field?.map((f) => f.name)).toEqual(["text", "index", "payload", "count"]);
    expect(await s.close()).toBe(status.OK);
  });

  it("sends a file's transitive imports, each once per stream", async () => {
    const s = stream();
    const names = async (symbol: string): Promise<string[]> => filesOf(await s.ask({ file_containing_symbol: symbol })).map((f) => f.name);
    expect(await names("shop.v1.OrderService")).toEqual([
      "shop/v1/orders.proto",
      "tsotel/v1/options.proto",
      "google/protobuf/descriptor.proto",
    ]);
    expect(await names("tsotel.v1.TelemetrySwitches")).toEqual(["tsotel/v1/options.proto"]);
    const byName = filesOf(await stream().ask({ file_by_filename: "tsotel/v1/options.proto" }));
    expect(byName.map((f) => f.name)).toEqual(["tsotel/v1/options.proto", "google/protobuf/descriptor.proto"]);
    expect(byName[0]?.dependency).toEqual(["google/protobuf/descriptor.proto"]);
    // protobuf-es's bootstrapped descriptor.proto still decodes as the real one.
    expect(findMessage(byName, "google.protobuf.FileDescriptorProto")?.field?.find((f) => f.name === "message_type")).toMatchObject({
      number: 4,
      label: "LABEL_REPEATED",
      typeName: ".google.protobuf.DescriptorProto",
    });
  });

  it("resolves well-known imports of a service given by its protoc-gen-es descriptor", async () => {
    const files = filesOf(await stream().ask({ file_containing_symbol: "edge.wkt.v1.ClockService.Now" }));
    expect(files.map((f) => f.name).sort()).toEqual([
      "edge/wkt/v1/wkt.proto",
      "google/protobuf/empty.proto",
      "google/protobuf/timestamp.proto",
    ]);
    expect(findMessage(files, "google.protobuf.Timestamp")?.field?.map((f) => f.name)).toEqual(["seconds", "nanos"]);
  });

  it.each([
    ["tsotel.testing.v1.Behavior", "tsotel/testing/v1/test_service.proto"],
    ["tsotel.testing.v1.BEHAVIOR_ECHO", "tsotel/testing/v1/test_service.proto"],
    ["shop.v1.GetOrderRequest.order_id", "shop/v1/orders.proto"],
    ["shop.v1.GetOrderRequest.lookup", "shop/v1/orders.proto"],
    ["tsotel.v1.service", "tsotel/v1/options.proto"],
    ["google.protobuf.DescriptorProto.ExtensionRange", "google/protobuf/descriptor.proto"],
    ["google.protobuf.FieldDescriptorProto.Type", "google/protobuf/descriptor.proto"],
    ["google.protobuf.FieldDescriptorProto.TYPE_STRING", "google/protobuf/descriptor.proto"],
    ["grpc.reflection.v1alpha.ServerReflection", "grpc/reflection/v1alpha/reflection.proto"],
    ["grpc.reflection.v1.ServerReflectionResponse", "grpc/reflection/v1/reflection.proto"],
  ])("finds the file containing %s", async (symbol, file) => {
    expect(filesOf(await stream().ask({ file_containing_symbol: symbol }))[0]?.name).toBe(file);
  });

  it("answers extensions from the descriptors it has", async () => {
    const s = stream();
    const numbers = await s.ask({ all_extension_numbers_of_type: "google.protobuf.ServiceOptions" });
    expect(numbers.all_extension_numbers_response).toEqual({ base_type_name: "google.protobuf.ServiceOptions", extension_number: [58720] });
    const [file] = filesOf(await s.ask({ file_containing_extension: { containing_type: "google.protobuf.MethodOptions", extension_number: 58721 } }));
    expect(file?.name).toBe("tsotel/v1/options.proto");
    expect(file?.extension?.map((e) => `${e.extendee ?? ""} ${e.number}`)).toEqual([
      ".google.protobuf.ServiceOptions 58720",
      ".google.protobuf.MethodOptions 58721",
    ]);
    // A known message without extensions: an empty list, not an error.
    const none = await s.ask({ all_extension_numbers_of_type: "tsotel.testing.v1.UnaryRequest" });
    expect(none.all_extension_numbers_response).toEqual({ base_type_name: "tsotel.testing.v1.UnaryRequest", extension_number: [] });
  });

  it("answers what it does not know with NOT_FOUND error responses, and the stream goes on", async () => {
    const s = stream();
    expect(errorOf(await s.ask({ file_containing_symbol: "tsotel.testing.v1.Nope" }))).toEqual({
      code: status.NOT_FOUND,
      message: "symbol tsotel.testing.v1.Nope not found",
    });
    expect(errorOf(await s.ask({ file_by_filename: "nope.proto" })).code).toBe(status.NOT_FOUND);
    expect(
      errorOf(await s.ask({ file_containing_extension: { containing_type: "google.protobuf.ServiceOptions", extension_number: 1 } })).code,
    ).toBe(status.NOT_FOUND);
    expect(errorOf(await s.ask({ all_extension_numbers_of_type: "nope.Message" })).code).toBe(status.NOT_FOUND);
    expect(errorOf(await s.ask({})).code).toBe(status.INVALID_ARGUMENT);
    expect(servicesOf(await s.ask({ list_services: "" }))).toContain("tsotel.testing.v1.TestService");
    expect(await s.close()).toBe(status.OK);
  });

  it("refuses a definition whose file it cannot find, naming what to pass instead", () => {
    expect(() => serveReflection(new Server(), [ClockServiceDefinition])).toThrow(
      "serveReflection: cannot find the file of edge.wkt.v1.ClockService: none of its request or response messages is declared in it; " +
        "pass the service descriptor generated by protoc-gen-es (ClockService from its _pb file) instead of ClockServiceDefinition",
    );
  });
});

describe("compared with @grpc/reflection's server", () => {
  let ours: Server;
  let theirs: Server;
  let ourAddress: string;
  let theirAddress: string;

  beforeAll(async () => {
    ours = new Server();
    // Not OrderService: protobufjs's parser, under proto-loader, rejects its list-valued option.
    serveReflection(ours, [TestServiceDefinition, LookupServiceDefinition]);
    theirs = new Server();
    const definition = loadSync(["tsotel/testing/v1/test_service.proto", "edge/imports/v1/imports.proto"], {
      includeDirs: [join(repoRoot, "testdata/proto")],
      // Else proto-loader camel-cases field names, and @grpc/reflection sends those.
      keepCase: true,
    });
    new ReflectionService(definition).addToServer(theirs);
    [ourAddress, theirAddress] = await Promise.all([listen(ours), listen(theirs)]);
  });

  afterAll(() => {
    ours.forceShutdown();
    theirs.forceShutdown();
  });

  async function askBoth(request: Parameters<ReflectionStream["ask"]>[0]): Promise<[ReflectionResponse, ReflectionResponse]> {
    const streams = [new ReflectionStream(ourAddress, "v1"), new ReflectionStream(theirAddress, "v1")];
    const answers = await Promise.all(streams.map((s) => s.ask(request)));
    await Promise.all(streams.map((s) => s.close()));
    return [answers[0] as ReflectionResponse, answers[1] as ReflectionResponse];
  }

  it("lists the same services, ours adding the reflection services as grpc-go does", async () => {
    const [a, b] = await askBoth({ list_services: "*" });
    expect(servicesOf(a).filter((name) => !REFLECTION_SERVICES.includes(name))).toEqual(servicesOf(b).sort());
    expect(servicesOf(b).sort()).toEqual(["edge.imports.v1.LookupService", "tsotel.testing.v1.TestService"]);
  });

  it.each(["tsotel.testing.v1.UnaryRequest", "tsotel.testing.v1.BidiStreamResponse", "edge.imports.v1.FindRequest", "edge.common.v1.Page"])(
    "describes %s with the same fields",
    async (symbol) => {
      const [a, b] = await askBoth({ file_containing_symbol: symbol });
      // @grpc/reflection sends the type names protobufjs keeps, relative to the message
      // (`Behavior`); ours are fully qualified as protoc writes them. Compared by their last part.
      const comparable = (field: DecodedField): string => shape({ ...field, typeName: field.typeName?.split(".").pop() ?? "" });
      const ourFields = findMessage(filesOf(a), symbol)?.field;
      expect(ourFields?.length).toBeGreaterThan(0);
      expect(ourFields?.every((f) => f.typeName === undefined || f.typeName.startsWith("."))).toBe(true);
      expect(ourFields?.map(comparable)).toEqual(findMessage(filesOf(b), symbol)?.field?.map(comparable));
    },
  );

  it("gives the same error code for an unknown symbol", async () => {
    const [a, b] = await askBoth({ file_containing_symbol: "tsotel.testing.v1.Nope" });
    expect(errorOf(a).code).toBe(status.NOT_FOUND);
    expect(errorOf(b).code).toBe(errorOf(a).code);
  });
});
