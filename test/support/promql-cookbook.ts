// The PromQL cookbook of docs/metrics.md: each `#### title` of the "### PromQL cookbook"
// section with the query in the promql block under it. The end-to-end test runs these
// very strings, so the page cannot drift from what works.

export interface CookbookQuery {
  readonly title: string;
  readonly promql: string;
}

export function readCookbook(markdown: string): CookbookQuery[] {
  const start = markdown.indexOf("\n### PromQL cookbook\n");
  if (start < 0) {
    throw new Error('docs/metrics.md has no "### PromQL cookbook" section');
  }
  // From after the heading line to the next heading of level 3 or above.
  const body = markdown.slice(markdown.indexOf("\n", start + 1) + 1);
  const end = body.search(/^#{1,3} /m);
  const section = end < 0 ? body : body.slice(0, end);
  return [...section.matchAll(/^#### (.+)\n+```promql\n([\s\S]*?)\n```/gm)].map(([, title = "", promql = ""]) => ({ title, promql }));
}
