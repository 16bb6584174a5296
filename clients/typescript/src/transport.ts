/**
 * HTTP for the client: base URL, credentials, timeout, retries, errors.
 *
 * Retried: a 429 (`rate_limited`) or 503 (`unavailable`, e.g. no worker yet) answer, both
 * refused before any work was done, up to `maxRetries` times, waiting `Retry-After` when Atlas
 * sends it (else exponential backoff with jitter). Nothing else is retried: a question that was
 * sent and then lost is never asked twice (its stream is resumed instead, see stream.ts). A
 * failed `fetch` becomes `AtlasError` `network`; `timeoutMs` without an answer, `timeout`.
 */
import { AtlasError, errorFromResponse } from "./errors.js";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  bearerToken?: string | undefined;
  fetch?: FetchLike | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  headers?: Record<string, string> | undefined;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Keep the timeout running until the body is read (JSON), or stop it at the headers. */
  streaming?: boolean;
}

const RETRY_STATUSES = new Set([429, 503]);
/** A server asking to wait longer than this is not waited for: the caller decides. */
const MAX_RETRY_AFTER_S = 60;

export class Transport {
  readonly baseUrl: string;
  readonly maxRetries: number;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(options: TransportOptions) {
    if (!options.baseUrl) throw new TypeError("Atlas: baseUrl is required");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // Atlas's own deadline for an answer is 120 s by default: room for it.
    this.timeoutMs = options.timeoutMs ?? 180_000;
    this.maxRetries = options.maxRetries ?? 2;
    const token = options.apiKey ?? options.bearerToken;
    this.headers = { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  /** A request whose JSON answer is returned (undefined for 204); throws AtlasError. */
  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { res, deadline } = await this.send(path, options);
      try {
        if (res.ok) return parseJson<T>(res.status, await readText(res, deadline, path), path);
        await this.backOff(attempt, await errorFromResponse(res), options.signal);
      } finally {
        deadline.clear();
        deadline.release();
      }
    }
  }

  /** A request with retries on 429/503; resolves to a 2xx response (body unread). */
  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const { res, deadline } = await this.send(path, options);
      deadline.clear(); // the timeout covers waiting for the headers, not a streamed body
      if (res.ok) return res;
      deadline.release();
      await this.backOff(attempt, await errorFromResponse(res), options.signal);
    }
  }

  /** Wait before retry `attempt + 1`, or throw `error` when it is not retried. */
  private async backOff(attempt: number, error: AtlasError, signal?: AbortSignal): Promise<void> {
    const delay = this.retryDelay(attempt, error.status, error.retryAfterSeconds);
    if (delay === undefined) throw error;
    await sleep(delay, signal);
  }

  /** Milliseconds before retry `attempt + 1`; undefined: do not retry. */
  retryDelay(attempt: number, status: number, retryAfterS?: number): number | undefined {
    if (!RETRY_STATUSES.has(status) || attempt >= this.maxRetries) return undefined;
    if (retryAfterS !== undefined) {
      return retryAfterS <= MAX_RETRY_AFTER_S ? retryAfterS * 1000 : undefined;
    }
    return backoffMs(attempt + 1);
  }

  /** One fetch, no retry: timeout and network failures become AtlasError. */
  private async send(path: string, options: RequestOptions): Promise<Sent> {
    const deadline = new Deadline(this.timeoutMs, options.signal);
    try {
      const res = await this.fetchImpl(this.baseUrl + path, this.init(options, deadline.signal));
      return { res, deadline };
    } catch (cause) {
      deadline.clear();
      deadline.release();
      throw deadline.translate(cause, `${this.baseUrl}${path}`);
    }
  }

  private init(options: RequestOptions, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    const init: RequestInit = { method: options.method ?? "GET", headers, signal };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return init;
  }
}

interface Sent {
  res: Response;
  deadline: Deadline;
}

async function readText(res: Response, deadline: Deadline, path: string): Promise<string> {
  try {
    return await res.text();
  } catch (cause) {
    throw deadline.translate(cause, path);
  }
}

function parseJson<T>(status: number, text: string, path: string): T {
  if (status === 204 || text === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    const message = `Expected JSON from ${path}, got: ${text.slice(0, 200)}`;
    throw new AtlasError({ code: "invalid_response", message, status, cause });
  }
}

/** A timeout joined with the caller's signal (AbortSignal.any is not in Node 18). */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;

  constructor(
    timeoutMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => this.expire(), timeoutMs);
    }
    if (outer?.aborted) this.controller.abort(outer.reason);
    outer?.addEventListener("abort", this.onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stop the timer (the caller's signal still aborts the request). */
  clear(): void {
    clearTimeout(this.timer);
  }

  /** Forget the caller's signal (the body is read): no listener left on a long-lived signal. */
  release(): void {
    this.outer?.removeEventListener("abort", this.onAbort);
  }

  /** A failed fetch or body read -> AtlasError (`timeout`, `network`); a caller abort as is. */
  translate(cause: unknown, where: string): unknown {
    if (this.timedOut) {
      return new AtlasError({ code: "timeout", message: `No answer in time from ${where}`, cause });
    }
    if (this.outer?.aborted) return cause;
    const detail = cause instanceof Error ? errorDetail(cause) : String(cause);
    return new AtlasError({ code: "network", message: `Cannot reach ${where}: ${detail}`, cause });
  }

  private expire(): void {
    this.timedOut = true;
    this.controller.abort(new DOMException("Atlas request timed out", "TimeoutError"));
  }

  private readonly onAbort = () => this.controller.abort(this.outer?.reason);
}

function errorDetail(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** Exponential backoff with jitter: ~0.5 s, 1 s, 2 s ... capped at 8 s. */
export function backoffMs(retry: number): number {
  const base = Math.min(8000, 500 * 2 ** (retry - 1));
  return base * (1 - 0.25 * Math.random());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
