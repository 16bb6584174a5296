/** Which chart, if any, a result deserves, from the data's shape alone.
 *
 * - a date column and at least one measure, three points or more -> line (a time series);
 * - one text column and measures, 2 to 30 distinct categories -> bar;
 * - anything else (a single number, a single row, too many categories, no measure) -> none,
 *   because a chart of it would mislead or say nothing the table does not.
 */

import { columnKind } from "./format";

export interface ChartChoice {
  kind: "line" | "bar";
  x: string;
  y: string[];
}

export interface ChartHint {
  chart?: string;
  x?: string | null;
  y?: string[];
}

const MAX_BARS = 30;
const MAX_SERIES = 4;

export function chooseChart(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  hint?: ChartHint,
): ChartChoice | null {
  if (hint && (hint.chart === "table" || hint.chart === "number")) return null;
  if (rows.length < 2 || columns.length < 2) return null;
  const kinds = new Map(columns.map((c) => [c, columnKind(rows, c)]));
  const measures = columns.filter((c) => kinds.get(c) === "number").slice(0, MAX_SERIES);
  const date = columns.find((c) => kinds.get(c) === "date");
  if (date) {
    const y = measures.filter((c) => c !== date);
    return y.length > 0 && rows.length >= 3 ? { kind: "line", x: date, y } : null;
  }
  const category = columns.find((c) => kinds.get(c) === "text");
  if (!category || measures.length === 0) return null;
  const distinct = new Set(rows.map((r) => String(r[category]))).size;
  if (distinct !== rows.length || distinct > MAX_BARS) return null;
  return { kind: "bar", x: category, y: measures };
}
