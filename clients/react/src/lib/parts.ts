/** Reading Atlas's message parts: what the gateway's UI message stream puts into a
 * `UIMessage` (see ARCHITECTURE.md, "POST /api/v1/chat"). */

import type { UIMessage } from "ai";

export interface SQLToolResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated?: boolean;
  error?: string;
}

export interface ToolPartView {
  toolName: string;
  toolCallId: string;
  args: Record<string, unknown>;
  result: unknown;
  isLoading: boolean;
  errorText?: string;
}

export interface Clarification {
  term: string;
  options: string[];
  question?: string;
}

type Part = UIMessage["parts"][number];

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

/** A tool part (`tool-<name>` or `dynamic-tool`) as a renderer sees it; null for other parts. */
export function toolPartView(part: Part): ToolPartView | null {
  const raw = part as Record<string, unknown>;
  const type = String(raw.type);
  const toolName =
    type === "dynamic-tool"
      ? String(raw.toolName)
      : type.startsWith("tool-")
        ? type.slice(5)
        : null;
  if (!toolName) return null;
  const state = String(raw.state ?? "");
  return {
    toolName,
    toolCallId: String(raw.toolCallId ?? ""),
    args: asRecord(raw.input),
    result: raw.output,
    isLoading: state === "input-streaming" || state === "input-available",
    errorText: typeof raw.errorText === "string" ? raw.errorText : undefined,
  };
}

/** The `{columns, rows, truncated}` of an `executeSQL` result, or null if it has another shape. */
export function sqlResult(value: unknown): SQLToolResult | null {
  const out = asRecord(value);
  if (!Array.isArray(out.columns) || !Array.isArray(out.rows)) {
    return typeof out.error === "string" ? { columns: [], rows: [], error: out.error } : null;
  }
  const columns = out.columns.map(String);
  const rows = out.rows.map((row: unknown) => rowObject(row, columns));
  return { columns, rows, truncated: out.truncated === true };
}

/** Rows arrive as objects keyed by column; arrays (positional rows) are accepted too. */
function rowObject(row: unknown, columns: string[]): Record<string, unknown> {
  if (Array.isArray(row)) return Object.fromEntries(columns.map((c, i) => [c, row[i]]));
  return asRecord(row);
}

function dataOf(message: UIMessage, name: string): unknown[] {
  return message.parts
    .filter((p) => p.type === `data-${name}`)
    .map((p) => (p as { data?: unknown }).data);
}

export function lastData(message: UIMessage, name: string): Record<string, unknown> | undefined {
  const all = dataOf(message, name);
  return all.length ? asRecord(all[all.length - 1]) : undefined;
}

export function clarificationOf(message: UIMessage): Clarification | null {
  const data = lastData(message, "clarification");
  if (!data || !Array.isArray(data.options)) return null;
  return {
    term: String(data.term ?? ""),
    options: data.options.map(String),
    question: typeof data.question === "string" ? data.question : undefined,
  };
}

export function suggestionsOf(message: UIMessage): string[] {
  const data = lastData(message, "suggestions");
  return data && Array.isArray(data.suggestions) ? data.suggestions.map(String) : [];
}

/** The latest `data-status` message, shown while the answer has no text yet. */
export function statusOf(message: UIMessage): string | undefined {
  const data = lastData(message, "status");
  return typeof data?.message === "string" ? data.message : undefined;
}

export function textOf(message: UIMessage): string {
  return message.parts
    .filter((p): p is Extract<Part, { type: "text" }> => p.type === "text")
    .map((p) => p.text)
    .join("\n\n");
}
