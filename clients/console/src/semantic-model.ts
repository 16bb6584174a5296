/** The semantic layer's shapes as the console reads them (the entity YAML's snake_case keys),
 * and the pure parts of the browser: search and metric flattening. */

import type { EntitySummary } from "@useatlas/sdk";

export interface Dimension {
  name: string;
  sql?: string;
  type?: string;
  description?: string;
  primary_key?: boolean;
  virtual?: boolean;
}

export interface Measure {
  name: string;
  sql?: string;
  type?: string;
  description?: string;
}

export interface Join {
  target_entity: string;
  relationship?: string;
  join_columns?: { from: string; to: string };
  description?: string;
}

export interface EntityDetail {
  name: string;
  table: string;
  description?: string;
  grain?: string;
  dimensions?: Dimension[];
  measures?: Measure[];
  joins?: Join[];
}

export interface Metric {
  id: string;
  label?: string;
  description?: string;
  type?: string;
  unit?: string;
  sql?: string;
  source: string;
}

export interface GlossaryTerm {
  term: string;
  status: string;
  definition?: string | null;
  note?: string | null;
  tables?: string[];
  possibleMappings?: string[];
}

function matches(query: string, ...texts: (string | null | undefined)[]): boolean {
  const q = query.trim().toLowerCase();
  return !q || texts.some((t) => t?.toLowerCase().includes(q));
}

export function searchEntities(entities: EntitySummary[], query: string): EntitySummary[] {
  return entities.filter((e) => matches(query, e.name, e.table, e.description));
}

export function searchGlossary(terms: GlossaryTerm[], query: string): GlossaryTerm[] {
  return terms.filter((t) => matches(query, t.term, t.definition, t.note, ...(t.tables ?? [])));
}

/** The metrics files (`{source, data: {metrics: [...]}}`) as one list of metrics. */
export function flattenMetrics(files: Array<{ source: string; data: unknown }>): Metric[] {
  const out: Metric[] = [];
  for (const file of files) {
    const metrics = (file.data as { metrics?: unknown } | null)?.metrics;
    if (!Array.isArray(metrics)) continue;
    for (const m of metrics) {
      if (m && typeof m === "object" && typeof (m as Metric).id === "string") {
        out.push({ ...(m as Metric), source: file.source });
      }
    }
  }
  return out;
}

export function entityName(entity: EntitySummary): string {
  return entity.name ?? entity.table;
}
