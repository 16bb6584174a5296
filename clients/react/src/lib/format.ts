/** Cell formatting and CSV export for query results. */

export type ColumnKind = "number" | "date" | "text";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function isDateLike(value: unknown): boolean {
  return typeof value === "string" && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));
}

export function isNumberLike(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  return typeof value === "string" && value.trim() !== "" && /^-?\d+(\.\d+)?$/.test(value.trim());
}

/** A column's kind from its non-empty values: all numbers, all dates, else text. */
export function columnKind(rows: readonly Record<string, unknown>[], column: string): ColumnKind {
  const values = rows.map((row) => row[column]).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return "text";
  if (values.every((v) => typeof v === "number" || (isNumberLike(v) && !isDateLike(v)))) {
    return "number";
  }
  if (values.every(isDateLike)) return "date";
  return "text";
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function formatDate(value: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  // A bare date is a calendar day: format it in UTC so no time zone shifts it by one.
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  return dateOnly
    ? date.toLocaleDateString(undefined, {
        year: "numeric",
        month: "short",
        day: "numeric",
        timeZone: "UTC",
      })
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatCell(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined) return "—";
  if (kind === "number" && isNumberLike(value)) return numberFormat.format(Number(value));
  if (kind === "date" && typeof value === "string") return formatDate(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function compareValues(a: unknown, b: unknown, kind: ColumnKind): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (kind === "number") return Number(a) - Number(b);
  if (kind === "date") return Date.parse(String(a)) - Date.parse(String(b));
  return String(a).localeCompare(String(b));
}
