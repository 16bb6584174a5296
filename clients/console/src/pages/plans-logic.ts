/** The plans page's pure parts: the wire shape of GET /api/v1/admin/plan and how a metered
 * feature's usage reads (used of limit, a share for the bar, when it resets). A computed limit
 * (active API keys) reads as the metered ones: the gateway asks its owner for the count. */

export interface PlanFeature {
  key: string;
  kind: "boolean" | "metered";
  enabled: boolean;
  limit: number | null;
  used: number | null;
  resetsAt: string | null;
}

export interface PlanBody {
  workspaceId?: string;
  plan: string | null;
  features: PlanFeature[];
  unlimited?: boolean;
}

export type MeterLevel = "ok" | "high" | "full";

export interface Meter {
  used: number;
  /** null: no limit (the bar is not drawn). */
  limit: number | null;
  /** used / limit, 0..1 (a count above the limit shows a full bar). */
  share: number;
  level: MeterLevel;
  text: string;
}

const HIGH = 0.8;

export function meterOf(feature: PlanFeature, locale?: string): Meter {
  const n = (x: number) => x.toLocaleString(locale);
  if (feature.used === null) {
    // No count: a computed limit (e.g. active API keys) whose owner could not be asked just
    // now. A bar at 0 would claim a count.
    const text =
      feature.limit === null ? "No limit" : `Up to ${n(feature.limit)}, count unavailable`;
    return { used: 0, limit: null, share: 0, level: "ok", text };
  }
  const used = Math.max(0, feature.used);
  if (feature.limit === null) {
    return { used, limit: null, share: 0, level: "ok", text: `${n(used)} used, no limit` };
  }
  const limit = Math.max(0, feature.limit);
  const share = limit === 0 ? 1 : Math.min(1, used / limit);
  const level: MeterLevel = share >= 1 ? "full" : share >= HIGH ? "high" : "ok";
  return { used, limit, share, level, text: `${n(used)} of ${n(limit)} used` };
}

/** "resets in 3 days" / "in 5 hours" / "in 12 minutes", from `now`. */
export function resetsIn(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (new Date(iso).getTime() - now.getTime()) / 1000);
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `resets in ${count} ${unit}${count === 1 ? "" : "s"}`;
    }
  }
  return "resets in less than a minute";
}

const ACRONYMS = new Set(["api", "llm", "mcp", "sql", "sso", "csv", "ai"]);

/** "llm-tokens" -> "LLM tokens": the plans file's keys, readable without a lookup table. */
export function featureLabel(key: string): string {
  const words = key.split(/[-_\s]+/).filter(Boolean);
  const shown = words.map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w));
  const text = shown.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Boolean features first, then metered ones, each by key: a stable order between loads. */
export function orderedFeatures(features: readonly PlanFeature[]): PlanFeature[] {
  return [...features].sort(
    (a, b) =>
      Number(a.kind === "metered") - Number(b.kind === "metered") || a.key.localeCompare(b.key),
  );
}
