// Just enough PromQL reading for the dashboard and rule tests: which metric names an
// expression selects, and the label matchers of each of its selectors. Validity is
// promtool's job (see promtool.ts); this only has to be right on valid expressions.

const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const MATCHERS = /\{[^}]*\}/g;
const RANGE = /\[[^\]]*\]/g;
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const DURATION = /(?<![\w:.])(?:\d+(?:ms|[smhdwy]))+(?![\w:])/g;
const NUMBER = /(?<![\w:.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/g;
const IDENTIFIER = /[A-Za-z_:][\w:]*/g;
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN"]);

/**
 * The metric names an expression selects, sorted and without duplicates:
 * `sum(rate(a_total{x="1"}[5m])) / b` gives `a_total` and `b`. Function names,
 * keywords, label names and string contents are not metric names.
 */
export function metricNames(expr: string): string[] {
  const text = expr
    .replace(STRING, '""')
    .replace(MATCHERS, " {} ")
    .replace(RANGE, " ")
    .replace(GROUPING, " ")
    .replace(DURATION, " ")
    .replace(NUMBER, " ");
  const names = new Set<string>();
  for (const match of text.matchAll(IDENTIFIER)) {
    const name = match[0];
    const after = text.slice(match.index + name.length).trimStart();
    if (!KEYWORDS.has(name) && !after.startsWith("(")) {
      names.add(name);
    }
  }
  return [...names].sort();
}

/** The matcher text inside the braces of every selector of an expression, in order. */
export function selectorMatchers(expr: string): string[] {
  // Matchers may hold braces inside their strings: find the braces outside strings.
  const matchers: string[] = [];
  let open = -1;
  let quote = "";
  for (let i = 0; i < expr.length; i++) {
    const c = expr.charAt(i);
    if (quote !== "") {
      if (c === "\\" && quote !== "`") {
        i++;
      } else if (c === quote) {
        quote = "";
      }
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
    } else if (c === "{") {
      open = i;
    } else if (c === "}" && open >= 0) {
      matchers.push(expr.slice(open + 1, i));
      open = -1;
    }
  }
  return matchers;
}
