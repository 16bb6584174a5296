/** How the console writes figures: one place, so every page reads the same. */

const DASH = "—";

export function formatCount(value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString(locale);
}

/** A rate in [0, 1] as a percentage with at most one decimal. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  const percent = Math.round(rate * 1000) / 10;
  return `${percent}%`;
}

/** Milliseconds: "850 ms" under a second, "1.2 s" under a minute, "2 min 5 s" beyond. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** An ISO timestamp as "YYYY-MM-DD HH:MM:SS" in UTC (stable across readers and screenshots). */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function truncate(text: string | null | undefined, max: number): string {
  if (!text) return "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "not_understood" -> "Not understood". */
export function humanize(value: string | null | undefined): string {
  if (!value) return DASH;
  const words = value.replace(/[_.-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A share of a limit in [0, 100] for a usage bar; null without a limit. */
export function usagePercent(used: number | null, limit: number | null): number | null {
  if (limit === null || limit <= 0) return null;
  return Math.min(100, Math.max(0, Math.round(((used ?? 0) / limit) * 100)));
}

const SURFACE_LABELS: Record<string, string> = {
  web: "Web",
  api: "API",
  mcp: "MCP",
  slack: "Slack",
  scheduled: "Scheduled",
};

export function surfaceLabel(surface: string | null | undefined): string {
  return surface ? (SURFACE_LABELS[surface] ?? humanize(surface)) : DASH;
}

/** A long opaque id cut to its first characters (the detail shows it whole). */
export function shortId(id: string | null | undefined, keep = 10): string {
  if (!id) return DASH;
  return id.length > keep + 2 ? `${id.slice(0, keep)}…` : id;
}

export interface DayCount {
  day: string;
  count: number;
  errors: number;
}

/** Every day of the `days` ending `today` (UTC), the missing ones at zero: a line over the
 * whole window instead of bars for the few days with questions. */
export function fillDays(perDay: DayCount[], today: Date, days = 30): DayCount[] {
  const known = new Map(perDay.map((d) => [d.day, d]));
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const out: DayCount[] = [];
  for (let back = days - 1; back >= 0; back--) {
    const day = new Date(end - back * 86_400_000).toISOString().slice(0, 10);
    out.push(known.get(day) ?? { day, count: 0, errors: 0 });
  }
  return out;
}
