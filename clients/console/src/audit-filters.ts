/** The audit viewer's filters <-> the URL query (so a filtered view can be linked and survives
 * a reload) <-> the API's filters. Only known keys are read; a malformed date is dropped. */

import type { AuditFilters, AuditLogEntry } from "@useatlas/sdk";

export const SURFACES = ["web", "api", "mcp", "slack", "scheduled"] as const;
export const OUTCOMES = [
  "answered",
  "clarification",
  "not_understood",
  "error",
  "cancelled",
] as const;

export interface AuditFilterState {
  user: string;
  surface: string;
  outcome: string;
  from: string;
  to: string;
  q: string;
}

export const EMPTY_FILTERS: AuditFilterState = {
  user: "",
  surface: "",
  outcome: "",
  from: "",
  to: "",
  q: "",
};

const KEYS = Object.keys(EMPTY_FILTERS) as (keyof AuditFilterState)[];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function valid(key: keyof AuditFilterState, value: string): boolean {
  if (key === "surface") return (SURFACES as readonly string[]).includes(value);
  if (key === "outcome") return (OUTCOMES as readonly string[]).includes(value);
  if (key === "from" || key === "to") return DATE.test(value);
  return value.length <= 500;
}

export function filtersFromSearch(search: string): AuditFilterState {
  const params = new URLSearchParams(search);
  const state = { ...EMPTY_FILTERS };
  for (const key of KEYS) {
    const value = (params.get(key) ?? "").trim();
    if (value && valid(key, value)) state[key] = value;
  }
  return state;
}

/** "?outcome=error&q=..." in a fixed key order; "" with no filter. */
export function searchOfFilters(state: AuditFilterState): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = state[key].trim();
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function apiFilters(state: AuditFilterState): AuditFilters {
  const value = (key: keyof AuditFilterState) => state[key].trim() || undefined;
  return {
    user: value("user"),
    surface: value("surface"),
    outcome: value("outcome"),
    from: value("from"),
    to: value("to"),
    q: value("q"),
  };
}

export function exportHref(state: AuditFilterState): string {
  return `/api/v1/admin/audit/export${searchOfFilters(state)}`;
}

export function hasFilters(state: AuditFilterState): boolean {
  return KEYS.some((key) => state[key].trim() !== "");
}

/** The rows shown after a page came: a first page (no cursor) replaces them, a "Load more"
 * page (by cursor) is appended, an id already shown is not repeated. */
export function mergePage(
  shown: AuditLogEntry[],
  page: AuditLogEntry[],
  cursor: string | undefined,
): AuditLogEntry[] {
  if (!cursor) return page;
  const seen = new Set(shown.map((row) => row.id));
  return [...shown, ...page.filter((row) => !seen.has(row.id))];
}
