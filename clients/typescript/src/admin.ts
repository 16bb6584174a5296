/**
 * `client.admin`: the workspace's admin console over the API (`/api/v1/admin/*`, admin role
 * only; anyone else gets `forbidden_role`). Names and shapes are upstream Atlas's
 * (`@useatlas/sdk` admin.*, AuditLogEntry, AuditStats, AdminOverview, ConnectionInfo...) with
 * Atlas's additions after them: the audit trail's filters, cursor, stats and CSV export, and
 * the workspace's plan. Every call is scoped by the server to the caller's workspace.
 */
import type { Transport } from "./transport.js";

export type AuthMode = "none" | "simple-key" | "managed" | "byot" | (string & {});
export type AuditKind = "question" | "change";
export type AuditOutcome =
  | "answered"
  | "clarification"
  | "not_understood"
  | "error"
  | "cancelled"
  | (string & {});

/** One audited event: a question answered (or not), or a change (a key, a user, the plan). */
export interface AuditLogEntry {
  id: string;
  /** ISO 8601. */
  timestamp: string;
  userId: string | null;
  userLabel: string | null;
  authMode: AuthMode | null;
  /** The statements run (after row-level security and LIMIT), joined by `";\n"`; "" for none. */
  sql: string;
  /** null for a change. */
  durationMs: number | null;
  rowCount: number | null;
  /** `outcome !== "error"`. */
  success: boolean;
  error: string | null;
  sourceId: string | null;
  sourceType: string | null;
  targetHost: string | null;
  kind: AuditKind;
  /** `query.answered`, `key.created`, `key.revoked`, `user.created`, `user.role_changed`... */
  action: string;
  surface: string | null;
  question: string | null;
  outcome: AuditOutcome | null;
  errorCode: string | null;
  tokens: number | null;
  conversationId: string | null;
  requestId: string | null;
  /** Lower-case unqualified table names the SQL read. */
  tables: string[];
  role: string | null;
  /** The key or user a change is about; null for questions. */
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface AuditLogResponse {
  /** Newest first. */
  rows: AuditLogEntry[];
  total: number;
  /** `total` is an estimate past 10,000 matching rows. */
  totalIsEstimate: boolean;
  limit: number;
  offset: number;
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** The filters of the list and the export (upstream's first, then Atlas's). */
export interface AuditFilters {
  /** A user id. */
  user?: string | undefined;
  /** `false`: errors only. */
  success?: boolean | undefined;
  /** ISO 8601 date or date-time; a date `to` is inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  surface?: string | undefined;
  outcome?: AuditOutcome | undefined;
  kind?: AuditKind | undefined;
  /** An action, e.g. `key.revoked`. */
  action?: string | undefined;
  /** A table (or entity) name the question's SQL read. */
  table?: string | undefined;
  /** Text in the question or the SQL (case-insensitive). */
  q?: string | undefined;
}

export interface AuditLogOptions extends AuditFilters {
  /** 1..200, default 50. */
  limit?: number | undefined;
  /** Ignored when `cursor` is given. */
  offset?: number | undefined;
  /** `nextCursor` of the previous page (stable under new events, unlike offset). */
  cursor?: string | undefined;
}

export interface AuditStatsOptions {
  /** Default: the last 30 days. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditStats {
  totalQueries: number;
  totalErrors: number;
  /** In [0, 1]. */
  errorRate: number;
  queriesPerDay: Array<{ day: string; count: number; errors: number }>;
  p95DurationMs: number | null;
  activeUsers: number;
  bySurface: Record<string, number>;
  byOutcome: Record<string, number>;
  topQuestions: Array<{ question: string; count: number }>;
  topTables: Array<{ table: string; count: number }>;
}

export type PluginType = "datasource" | "context" | "interaction" | "action" | "sandbox";
export type PluginStatus = "registered" | "initializing" | "healthy" | "unhealthy" | "teardown";

/** Upstream's plugin shape; Atlas has no plugins (always an empty list). */
export interface PluginInfo {
  id: string;
  types: PluginType[];
  version: string;
  name: string;
  status: PluginStatus;
}

export interface PluginHealthCheckResponse {
  healthy: boolean;
  message?: string;
  latencyMs?: number;
  status?: PluginStatus;
}

export interface QuestionsOverview {
  total: number;
  errorRate: number;
  p95DurationMs: number | null;
  activeUsers: number;
  perDay: Array<{ day: string; count: number; errors: number }>;
  topQuestions: Array<{ question: string; count: number }>;
}

/** A count is null when its part could not be read (then `partial` is true). */
export interface AdminOverview {
  connections: number | null;
  entities: number | null;
  metrics: number | null;
  glossaryTerms: number | null;
  plugins: number;
  pluginHealth: PluginInfo[];
  /** Atlas's: the audit trail's figures (last 30 days). */
  questions: QuestionsOverview | null;
  /** Atlas's: what `plan()` returns, or null when unknown. */
  plan: PlanSnapshot | null;
  partial: boolean;
}

export interface EntitySummary {
  /** Atlas's: the entity's name (upstream lists by table). */
  name?: string;
  table: string;
  description: string;
  columnCount: number;
  joinCount: number;
  measureCount: number;
  connection: string | null;
  type: "view" | null;
  source: string;
  /** Atlas's. */
  grain?: string;
  dimensionCount?: number;
}

export interface GlossaryEntry {
  term: string;
  status: string;
  definition?: string | null;
  note?: string | null;
  tables?: string[];
  possibleMappings?: string[];
}

export interface SemanticStats {
  totalEntities: number;
  totalColumns: number;
  totalJoins: number;
  totalMeasures: number;
  coverageGaps: { noDescription: number; noColumns: number; noJoins: number };
}

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

export interface ConnectionHealth {
  status: HealthStatus;
  latencyMs: number;
  message?: string | null;
  checkedAt: string;
  /** Atlas's (`testConnection`): the database itself refuses Atlas's writes; null when it
   *  did not answer. */
  readOnly?: boolean | null;
}

export interface ConnectionInfo {
  id: string;
  dbType: string;
  description?: string | null;
  status?: "published" | "draft" | "archived";
  health?: ConnectionHealth;
  groupId?: string | null;
  groupName?: string | null;
  /** Atlas's: host[:port] or the file name, never a credential. */
  host?: string | null;
}

export interface PlanFeature {
  key: string;
  kind: "boolean" | "metered";
  enabled: boolean;
  limit: number | null;
  used: number | null;
  resetsAt: string | null;
}

/** The entitlements of the caller's workspace; `unlimited` when the server has no plans file. */
export interface PlanSnapshot {
  workspaceId?: string;
  plan: string | null;
  features: PlanFeature[];
  unlimited?: boolean;
}

const enc = encodeURIComponent;
const BASE = "/api/v1/admin";

export class AdminSemantic {
  constructor(private readonly http: Transport) {}

  entities(): Promise<{ entities: EntitySummary[] }> {
    return this.http.json(`${BASE}/semantic/entities`);
  }

  /** One entity's whole definition; `not_found` when unknown. */
  async entity(name: string): Promise<{ entity: unknown }> {
    return this.http.json(`${BASE}/semantic/entities/${segment(name, "an entity name")}`);
  }

  /** One entry per metrics file: its source, its name (`file`, Atlas's) and its YAML. */
  metrics(): Promise<{ metrics: Array<{ source: string; file?: string; data: unknown }> }> {
    return this.http.json(`${BASE}/semantic/metrics`);
  }

  glossary(): Promise<{ glossary: GlossaryEntry[] }> {
    return this.http.json(`${BASE}/semantic/glossary`);
  }

  catalog(): Promise<{ catalog: unknown }> {
    return this.http.json(`${BASE}/semantic/catalog`);
  }

  stats(): Promise<SemanticStats> {
    return this.http.json(`${BASE}/semantic/stats`);
  }
}

export class Admin {
  /** The semantic layer, read-only. */
  readonly semantic: AdminSemantic;

  constructor(private readonly http: Transport) {
    this.semantic = new AdminSemantic(http);
  }

  /** Counts of the layer, the audit trail's last 30 days and the plan, in one call. */
  overview(): Promise<AdminOverview> {
    return this.http.json(`${BASE}/overview`);
  }

  connections(): Promise<{ connections: ConnectionInfo[] }> {
    return this.http.json(`${BASE}/connections`);
  }

  /** Check a datasource now; `not_found` for an unknown id. */
  async testConnection(id: string): Promise<ConnectionHealth> {
    const path = `${BASE}/connections/${segment(id, "a connection id")}/test`;
    return this.http.json(path, { method: "POST", body: {} });
  }

  /** One page of the audit trail, newest first. A bad filter is `validation_error`. */
  audit(options: AuditLogOptions = {}): Promise<AuditLogResponse> {
    return this.http.json(`${BASE}/audit${search({ ...options })}`);
  }

  /**
   * Every page of the filtered trail (`for await`), following `nextCursor`: new events
   * written meanwhile neither repeat nor shift rows, as offsets would.
   */
  async *auditPages(options: AuditLogOptions = {}): AsyncGenerator<AuditLogResponse> {
    let page = await this.audit(options);
    yield page;
    while (page.nextCursor) {
      page = await this.audit({ ...options, offset: undefined, cursor: page.nextCursor });
      yield page;
    }
  }

  /** Figures over `from`..`to` (default: the last 30 days). */
  auditStats(options: AuditStatsOptions = {}): Promise<AuditStats> {
    return this.http.json(`${BASE}/audit/stats${search({ ...options })}`);
  }

  /**
   * The filtered trail as CSV: the `Response`, its body streamed (up to 100,000 rows, so it is
   * not buffered here). `await res.text()` for the text, or pipe `res.body` to a file;
   * `res.headers.get("x-atlas-truncated") === "true"` when rows were cut.
   */
  auditExport(filters: AuditFilters = {}): Promise<Response> {
    return this.http.request(`${BASE}/audit/export${search({ ...filters })}`, { streaming: true });
  }

  /** The workspace's plan and what it has used. */
  plan(): Promise<PlanSnapshot> {
    return this.http.json(`${BASE}/plan`);
  }

  /** Upstream's plugins; Atlas has none (`{ plugins: [] }`). */
  plugins(): Promise<{ plugins: PluginInfo[] }> {
    return this.http.json(`${BASE}/plugins`);
  }

  /** Upstream's plugin check; Atlas has no plugins, so always `not_found`. */
  async pluginHealth(id: string): Promise<PluginHealthCheckResponse> {
    const path = `${BASE}/plugins/${segment(id, "a plugin id")}/health`;
    return this.http.json(path, { method: "POST", body: {} });
  }
}

function segment(value: string, what: string): string {
  if (!value) throw new TypeError(`Atlas: ${what} is required`);
  return enc(value);
}

/** `?a=1&b=2` of the defined values; "" when none. */
function search(params: Record<string, string | number | boolean | undefined>): string {
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) out.set(name, String(value));
  }
  const text = out.toString();
  return text ? `?${text}` : "";
}
