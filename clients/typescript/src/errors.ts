/**
 * The one error class of the SDK. Every failure is an `AtlasError`: an error envelope from
 * Atlas (`{error, message, requestId, ...}`, `code` = its `error`), a network failure
 * (`network`), a request past `timeoutMs` (`timeout`) or a body that is not what Atlas sends
 * (`invalid_response`).
 */

/** The gateway's stable codes, plus the SDK's own (`network`, `invalid_response`). */
export type AtlasErrorCode =
  | "invalid_request"
  | "validation_error"
  | "payload_too_large"
  | "not_found"
  | "method_not_allowed"
  | "auth_error"
  | "session_expired"
  | "forbidden"
  | "forbidden_role"
  | "rate_limited"
  | "stream_lost"
  | "feature_not_in_plan"
  | "plan_limit_exceeded"
  | "no_datasource"
  | "invalid_cron"
  | "invalid_recipients"
  | "task_disabled"
  | "unavailable"
  | "overloaded"
  | "timeout"
  | "provider_auth_error"
  | "provider_rate_limit"
  | "provider_timeout"
  | "provider_unreachable"
  | "provider_model_not_found"
  | "provider_error"
  | "internal_error"
  | "network"
  | "invalid_response"
  | (string & {});

/** Codes where the same call may succeed later (informational: only 429/503 are retried). */
const RETRYABLE = new Set<string>([
  "rate_limited",
  "unavailable",
  "overloaded",
  "timeout",
  "network",
  "stream_lost",
  "provider_rate_limit",
  "provider_timeout",
  "provider_unreachable",
]);

export interface AtlasErrorInit {
  code: AtlasErrorCode;
  message: string;
  status?: number;
  requestId?: string | undefined;
  retryAfterSeconds?: number | undefined;
  /** The whole error body, for code-specific fields (`details`, `feature`, `limit`...). */
  body?: Record<string, unknown> | undefined;
  cause?: unknown;
}

export class AtlasError extends Error {
  override readonly name = "AtlasError";
  readonly code: AtlasErrorCode;
  /** The HTTP status; 0 when no response came (network, timeout) or inside a stream. */
  readonly status: number;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly body: Record<string, unknown> | undefined;

  constructor(init: AtlasErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? 0;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.retryable = RETRYABLE.has(init.code);
    this.body = init.body;
  }
}

/** An error envelope (parsed JSON) -> AtlasError; null when it is not one. */
export function errorFromEnvelope(
  body: unknown,
  status: number,
  retryAfterHeader?: string | null,
): AtlasError | null {
  if (!isRecord(body) || typeof body.error !== "string") return null;
  const retryAfter = numberOrUndefined(body.retryAfterSeconds) ?? parseRetryAfter(retryAfterHeader);
  return new AtlasError({
    code: body.error,
    message: typeof body.message === "string" ? body.message : body.error,
    status,
    requestId: typeof body.requestId === "string" ? body.requestId : undefined,
    retryAfterSeconds: retryAfter,
    body,
  });
}

/** A non-2xx response -> AtlasError (reads the body). */
export async function errorFromResponse(res: Response): Promise<AtlasError> {
  const text = await res.text().catch(() => "");
  const retryAfter = res.headers.get("retry-after");
  const parsed = errorFromEnvelope(safeJson(text), res.status, retryAfter);
  if (parsed) return parsed;
  return new AtlasError({
    code: res.status === 429 ? "rate_limited" : "invalid_response",
    message: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
    status: res.status,
    requestId: res.headers.get("x-request-id") ?? undefined,
    retryAfterSeconds: parseRetryAfter(retryAfter),
  });
}

/** The `errorText` of a stream `error` frame (a JSON envelope) -> AtlasError. */
export function errorFromText(text: string): AtlasError {
  return (
    errorFromEnvelope(safeJson(text), 0) ??
    new AtlasError({ code: "internal_error", message: text || "The answer failed" })
  );
}

/** `Retry-After` in seconds (delta form; an HTTP date is turned into a delta). */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
