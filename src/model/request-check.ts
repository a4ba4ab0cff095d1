import type { CodeGeneratorRequest, DescriptorProto, FileDescriptorProto } from "@bufbuild/protobuf/wkt";

/**
 * Finds what protobuf-es would fail on later with a message that names no file: a
 * type referenced by a method or field that no file in the request declares (a
 * dependency left out, or a hand-made request). One line per problem.
 */
export function checkTypeReferences(request: CodeGeneratorRequest): string[] {
  const declared = new Set<string>();
  for (const file of request.protoFile) {
    const prefix = file.package === "" ? "" : `.${file.package}`;
    for (const e of file.enumType) declared.add(`${prefix}.${e.name}`);
    for (const m of file.messageType) declareMessage(m, prefix, declared);
  }
  const problems: string[] = [];
  for (const file of request.protoFile) {
    checkFile(file, declared, problems);
  }
  return problems;
}

function declareMessage(message: DescriptorProto, prefix: string, declared: Set<string>): void {
  const name = `${prefix}.${message.name}`;
  declared.add(name);
  for (const e of message.enumType) declared.add(`${name}.${e.name}`);
  for (const nested of message.nestedType) declareMessage(nested, name, declared);
}

function checkFile(file: FileDescriptorProto, declared: ReadonlySet<string>, problems: string[]): void {
  const missing = (type: string): boolean => type.startsWith(".") && !declared.has(type);
  const hint = "no file in the request declares it; is a dependency missing from the request?";
  for (const service of file.service) {
    for (const method of service.method) {
      for (const [role, type] of [
        ["input", method.inputType],
        ["output", method.outputType],
      ] as const) {
        if (missing(type)) {
          problems.push(`${file.name}: rpc ${service.name}.${method.name}: ${role} type ${type.slice(1)}: ${hint}`);
        }
      }
    }
  }
  const checkMessage = (message: DescriptorProto, scope: string): void => {
    for (const field of message.field) {
      if (field.typeName !== "" && missing(field.typeName)) {
        problems.push(`${file.name}: field ${scope}${message.name}.${field.name}: type ${field.typeName.slice(1)}: ${hint}`);
      }
    }
    for (const nested of message.nestedType) checkMessage(nested, `${scope}${message.name}.`);
  };
  const scope = file.package === "" ? "" : `${file.package}.`;
  for (const message of file.messageType) checkMessage(message, scope);
}
