import { getComments } from "@bufbuild/protoplugin";
import type { DescMethod, DescService } from "@bufbuild/protobuf";

/**
 * The JSDoc text for a service or method: its proto comments, where it came from,
 * and `@deprecated` when the proto says so (a method also when its service is).
 */
export function docText(desc: DescService | DescMethod, lead?: string): string {
  const paragraphs: string[] = [];
  if (lead !== undefined) {
    paragraphs.push(lead);
  }
  const comments = getComments(desc);
  for (const comment of [comments.leading, comments.trailing]) {
    const text = comment === undefined ? "" : stripCommentIndent(comment);
    if (text.length > 0) {
      paragraphs.push(text);
    }
  }
  const origin = desc.kind === "service" ? `service ${desc.typeName}` : `rpc ${desc.parent.typeName}.${desc.name}`;
  const tags = [`@generated from ${origin}`];
  if (desc.deprecated || (desc.kind === "rpc" && desc.parent.deprecated)) {
    tags.push("@deprecated");
  }
  paragraphs.push(tags.join("\n"));
  return paragraphs.join("\n\n");
}

// protoc keeps the space after `//`; drop one leading space per line, keep the rest.
function stripCommentIndent(comment: string): string {
  return comment
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line.startsWith(" ") ? line.slice(1) : line))
    .join("\n")
    .trim();
}
