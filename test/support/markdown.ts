/** The fenced code blocks of a Markdown page in one language, in order. */
export function fencedBlocks(page: string, language: string): string[] {
  return [...page.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1] ?? "");
}

/** A row of a Markdown table, keyed by its table's header cells. */
export type TableRow = Readonly<Record<string, string>>;

/** The text of `page` under the heading line `heading`, up to the next heading of any level. */
export function section(page: string, heading: string): string {
  const lines = page.split("\n");
  const from = lines.indexOf(heading);
  if (from === -1) throw new Error(`no heading "${heading}"`);
  const rest = lines.slice(from + 1);
  const next = rest.findIndex((line) => line.startsWith("#"));
  return rest.slice(0, next === -1 ? undefined : next).join("\n");
}

/** The Markdown tables of `text`, in order. */
export function tables(text: string): TableRow[][] {
  const found: TableRow[][] = [];
  const cells = (line: string): string[] => line.slice(1, -1).split("|").map((cell) => cell.trim());
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith("|") || lines[i - 1]?.startsWith("|") === true) continue;
    const header = cells(lines[i] ?? "");
    const rows: TableRow[] = [];
    for (let j = i + 2; lines[j]?.startsWith("|") === true; j++) {
      const values = cells(lines[j] ?? "");
      rows.push(Object.fromEntries(header.map((name, k) => [name, values[k] ?? ""])));
    }
    found.push(rows);
  }
  return found;
}

/** The one table of `page` under `heading` that has a `key` column. */
export function table(page: string, heading: string, key: string): TableRow[] {
  const matching = tables(section(page, heading)).filter((rows) => rows[0] !== undefined && key in rows[0]);
  if (matching.length !== 1 || matching[0] === undefined) {
    throw new Error(`${String(matching.length)} tables with a "${key}" column under "${heading}", not one`);
  }
  return matching[0];
}

/** The `code` spans of a cell or text, in order. */
export function codeSpans(text: string | undefined): string[] {
  return [...(text ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
}
