/** The fenced code blocks of a Markdown page in one language, in order. */
export function fencedBlocks(page: string, language: string): string[] {
  return [...page.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1] ?? "");
}
