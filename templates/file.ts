import type { GeneratedFile } from "@bufbuild/protoplugin";
import type { FileModel } from "../src/model/file-model.js";
import { printClientClass } from "./client-class.js";
import { printHandlerInterface } from "./handler-interface.js";
import { printServerRegistration } from "./server-registration.js";
import { printServiceTable } from "./service-table.js";
import { printLabelIndexes, printMetricLabels } from "./metric-labels.js";
import { printEnumNames, printSpanAttributes } from "./span-attributes.js";

/** One generated file: per service its table, handler interface, client and registration. */
export function printFile(f: GeneratedFile, model: FileModel): void {
  f.preamble(model.file);
  for (const table of model.enumNames) {
    printEnumNames(f, table);
    f.print();
  }
  for (const table of model.labelIndexes) {
    printLabelIndexes(f, table);
    f.print();
  }
  model.services.forEach((service, i) => {
    if (i > 0) {
      f.print();
    }
    for (const method of service.methods) {
      if (method.spanAttributesName !== undefined) {
        printSpanAttributes(f, model, method);
        f.print();
      }
      if (method.metricLabelsName !== undefined) {
        printMetricLabels(f, model, method);
        f.print();
      }
    }
    printServiceTable(f, model, service);
    f.print();
    printHandlerInterface(f, model, service);
    f.print();
    printClientClass(f, model, service);
    f.print();
    printServerRegistration(f, model, service);
  });
}
