import type { CodegenResult } from "../codegen/run-codegen.js";
import { formatTable, num } from "./format-table.js";

export function formatCodegen(codegen: CodegenResult): string {
  return codegen.corpora
    .map(({ corpus, plugins }) => {
      const rows = plugins.map((p) => [
        p.label,
        p.error !== undefined ? "failed" : p.timedOut ? `≥ ${num(p.wallMs / 1000, 0)} (cut)` : num(p.wallMs / 1000, 2),
        num(p.cpuMs / 1000, 2),
        num(p.maxRssMiB),
        String(p.runs.length),
        num(p.files),
      ]);
      const title = `Codegen, ${corpus.label} (${corpus.files} files, ${corpus.services} services, ${corpus.methods} methods), whole process, ${plugins.some((p) => p.runs.length > 1) ? "medians" : "one run"}:`;
      const errors = plugins.flatMap((p) => (p.error === undefined ? [] : [`  ${p.id}: ${p.error}`]));
      return [`${title}\n\n${formatTable(["plugin", "wall s", "CPU s", "peak RSS MiB", "runs", "files out"], rows)}`, ...errors].join("\n");
    })
    .join("\n\n");
}
