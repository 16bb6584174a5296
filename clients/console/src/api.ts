/** `apiFetch`: the console's calls to the gateway, on its own origin with the session cookie.
 * A non-2xx answer becomes an `ApiError` carrying the Atlas envelope `{error, message}` (a body
 * that is not JSON still gives one, so pages show one kind of error). Until the SDK's `admin`
 * namespace lands, the page modules type their calls here. */

/** Sent on `window` when an API call answers 401: the session ended (expired, signed out
 * elsewhere, the user deactivated), so the console goes back to its sign-in form. */
export const SESSION_ENDED = "atlas-console:session-ended";

/** `fetch` on the console's origin with the session cookie, announcing a 401 (every call of
 * the console, the SDK's included, goes through it). */
export async function consoleFetch(
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const response = await fetch(input, { ...init, credentials: "same-origin" });
  if (response.status === 401) window.dispatchEvent(new Event(SESSION_ENDED));
  return response;
}

export interface AtlasErrorEnvelope {
  error: string;
  message: string;
  details?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, envelope: AtlasErrorEnvelope) {
    super(envelope.message);
    this.name = "ApiError";
    this.status = status;
    this.code = envelope.error;
    this.details = envelope.details;
  }
}

export function envelopeOf(status: number, body: unknown): AtlasErrorEnvelope {
  if (body && typeof body === "object") {
    const { error, message, details } = body as Record<string, unknown>;
    if (typeof error === "string") {
      return { error, message: typeof message === "string" ? message : error, details };
    }
  }
  return { error: status >= 500 ? "internal_error" : "http_error", message: `HTTP ${status}` };
}

export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("accept", "application/json");
  if (init.body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  let response: Response;
  try {
    response = await consoleFetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, { error: "network_error", message: "The gateway could not be reached." });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, envelopeOf(response.status, body));
  return body as T;
}

/** A query string from filters, leaving out empty values (so URLs stay short and stable). */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
