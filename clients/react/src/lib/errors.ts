/** What went wrong, in words a person can act on: parsed from the gateway's error envelope
 * (`{error, message, requestId, retryAfterSeconds?}`), whether it came as an HTTP body or
 * as a stream `error` frame's `errorText`. */

export type ChatErrorCode =
  | "auth_error"
  | "session_expired"
  | "forbidden"
  | "forbidden_role"
  | "rate_limited"
  | "plan_limit_exceeded"
  | "unavailable"
  | "overloaded"
  | "timeout"
  | "stream_lost"
  | "network"
  | "unknown"
  | (string & {});

export interface ChatErrorInfo {
  code: ChatErrorCode;
  title: string;
  message: string;
  retryAfterSeconds?: number;
  retryable: boolean;
  requestId?: string;
}

interface Envelope {
  error?: unknown;
  message?: unknown;
  requestId?: unknown;
  retryAfterSeconds?: unknown;
}

const TITLES: Record<string, string> = {
  auth_error: "Your API key or session was not accepted",
  session_expired: "Your session has expired",
  forbidden: "You are not allowed to do this",
  forbidden_role: "Your role does not allow this",
  rate_limited: "Too many requests",
  plan_limit_exceeded: "Your plan's limit is reached",
  unavailable: "Atlas is unavailable right now",
  overloaded: "Atlas is busy right now",
  timeout: "The answer took too long",
  stream_lost: "The answer's stream was lost",
  network: "Atlas could not be reached",
};

const RETRYABLE = new Set([
  "rate_limited",
  "plan_limit_exceeded",
  "unavailable",
  "overloaded",
  "timeout",
  "stream_lost",
  "network",
  "unknown",
]);

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

/** Classify an error thrown by `useChat`, the transport or `atlasFetch`. */
export function parseChatError(error: unknown): ChatErrorInfo {
  const text = error instanceof Error ? error.message : String(error ?? "");
  const envelope = parseEnvelope(text);
  if (!envelope || typeof envelope.error !== "string") {
    const network = /fetch|network|load failed/i.test(text);
    const code = network ? "network" : "unknown";
    return { code, title: TITLES[code] ?? "Something went wrong", message: text, retryable: true };
  }
  const code = envelope.error;
  const retryAfter =
    typeof envelope.retryAfterSeconds === "number" ? envelope.retryAfterSeconds : undefined;
  return {
    code,
    title: TITLES[code] ?? "Something went wrong",
    message: typeof envelope.message === "string" ? envelope.message : code,
    retryAfterSeconds: retryAfter,
    retryable: RETRYABLE.has(code),
    requestId: typeof envelope.requestId === "string" ? envelope.requestId : undefined,
  };
}
