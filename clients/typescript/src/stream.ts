/**
 * A streamed answer that survives a dropped connection.
 *
 * When the body fails or ends before `[DONE]`, the stream asks
 * `GET /api/v1/chat/{requestId}/stream` with `Last-Event-ID` = the last frame it got, and goes
 * on: Atlas replays every frame after that id, and frames whose ids are not above the last one
 * seen (the re-sent `start`) are dropped, so each event arrives exactly once. A resume that
 * brings nothing new counts against `maxRetries` (the first is immediate, then backoff); any new
 * frame resets the count. When Atlas no longer has the run (204, or 404 for an id it does not
 * know) the stream ends with a `stream_lost` error event, never with a silent gap.
 *
 * `stop()` asks Atlas to stop the run; the stream then ends with `finish` reason `stopped`.
 * The caller's AbortSignal also stops the run on the server, and rejects like `fetch` does.
 */
import { AtlasError, safeJson } from "./errors.js";
import { EventDecoder, errorEvent, type StreamEvent, type UIChunk } from "./events.js";
import { DONE, frameKey, isAfter, parseSSE, type SSEFrame } from "./sse.js";
import { backoffMs, sleep, type Transport } from "./transport.js";

/** Atlas pings a live stream every 15 s: this long a silence is a dead connection. */
const STREAM_IDLE_MS = 60_000;

export class AtlasStream implements AsyncIterableIterator<StreamEvent> {
  /** The run's id (the request id): for `stop()` or a later resume. */
  requestId: string | undefined;
  conversationId: string | undefined;
  /** The last SSE id received: where a resume starts from. */
  lastEventId: string | undefined;
  /** How many times the connection was resumed. */
  resumes = 0;
  private lastKey: [number, number] | undefined;
  private done = false;
  private stalls = 0;
  private response: Response | undefined;
  private stopping: Promise<void> | undefined;
  private readonly decoder = new EventDecoder();
  private readonly events: AsyncGenerator<StreamEvent>;

  /** `opening`: the answer's first response (`POST /api/v1/chat`), awaited on first read. */
  constructor(
    private readonly transport: Transport,
    private readonly opening: Promise<Response>,
    private readonly signal?: AbortSignal,
  ) {
    this.events = this.iterate();
    // A rejected opening is reported by next(); this keeps it from being "unhandled" before.
    opening.catch(() => undefined);
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    return this.events.next();
  }

  /** Stop reading (a `break` out of `for await` calls this); the run goes on on the server. */
  async return(): Promise<IteratorResult<StreamEvent>> {
    await this.response?.body?.cancel().catch(() => undefined);
    return this.events.return(undefined);
  }

  /** Ask Atlas to stop the run; keep iterating to see the `finish` (reason `stopped`). */
  stop(): Promise<void> {
    this.stopping ??= this.requestStop();
    return this.stopping;
  }

  private async requestStop(): Promise<void> {
    if (!this.requestId) this.opened(await this.opening);
    if (!this.requestId || this.done) return;
    const path = `/api/v1/chat/${encodeURIComponent(this.requestId)}/stop`;
    await this.transport.json(path, { method: "POST" });
  }

  private opened(res: Response): void {
    this.response ??= res;
    this.requestId ??= res.headers.get("x-request-id") ?? undefined;
    this.conversationId ??= res.headers.get("x-conversation-id") ?? undefined;
    this.decoder.conversationId ??= this.conversationId;
  }

  private async *iterate(): AsyncGenerator<StreamEvent> {
    try {
      this.opened(await this.opening);
      while (!this.done) {
        try {
          yield* this.read();
        } catch (error) {
          if (this.signal?.aborted) throw this.signal.reason;
          if (error instanceof AtlasError) throw error;
          const next = await this.reopen(error);
          if (next === undefined) yield* this.lost();
          else this.response = next;
        }
      }
    } finally {
      this.signal?.removeEventListener("abort", this.onAbort);
    }
  }

  private async *read(): AsyncGenerator<StreamEvent> {
    const body = this.response?.body;
    if (!body) throw new Error("the stream has no body");
    for await (const frame of parseSSE(body, { idleMs: STREAM_IDLE_MS })) {
      yield* this.accept(frame);
      if (this.done) return;
    }
    throw new Error("the stream ended before [DONE]");
  }

  /** Events of a new frame; none for a repeat. `[DONE]` ends the stream. */
  private accept(frame: SSEFrame): StreamEvent[] {
    const key = frameKey(frame.id);
    if (key) {
      if (!isAfter(key, this.lastKey)) return [];
      this.lastKey = key;
      this.lastEventId = frame.id;
    }
    this.stalls = 0;
    if (frame.data === DONE) {
      this.done = true;
      return [];
    }
    const chunk = safeJson(frame.data);
    if (typeof chunk !== "object" || chunk === null || !("type" in chunk)) return [];
    const events = this.decoder.decode(chunk as UIChunk);
    this.requestId = this.decoder.messageId ?? this.requestId;
    return events;
  }

  /** A new response from where the last one broke; undefined when the run is gone: finished
   * (204) or no longer known to Atlas (404 `not_found`). */
  private async reopen(cause: unknown): Promise<Response | undefined> {
    this.stalls += 1;
    if (this.stalls > this.transport.maxRetries + 1 || !this.requestId) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new AtlasError({
        code: "network",
        message: `The answer's stream broke: ${detail}`,
        cause,
      });
    }
    if (this.stalls > 1) await sleep(backoffMs(this.stalls - 1), this.signal);
    this.resumes += 1;
    const path = `/api/v1/chat/${encodeURIComponent(this.requestId)}/stream`;
    const headers = { "last-event-id": this.lastEventId ?? "0-0" };
    try {
      const res = await this.transport.request(path, {
        headers,
        signal: this.signal,
        streaming: true,
      });
      return res.status === 204 ? undefined : res;
    } catch (error) {
      if (error instanceof AtlasError && error.code === "network") return this.reopen(error);
      if (error instanceof AtlasError && error.status === 404) return undefined;
      throw error;
    }
  }

  private lost(): StreamEvent[] {
    this.done = true;
    const message = "The answer's stream was lost and can no longer be resumed";
    const error = new AtlasError({ code: "stream_lost", message, requestId: this.requestId });
    const finish = { conversationId: this.conversationId, requestId: this.requestId };
    return [errorEvent(error), { type: "finish", reason: "error", ...finish }];
  }

  /** The caller gave up: stop the run on the server too (best effort, not awaited). */
  private readonly onAbort = () => {
    if (!this.done) this.stop().catch(() => undefined);
  };
}
