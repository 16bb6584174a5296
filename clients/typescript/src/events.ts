/**
 * Typed events of a streamed answer, decoded from the AI SDK UI message stream chunks Atlas
 * sends. Hand-written (OpenAPI cannot describe a stream): they mirror the Python union in
 * libs/common/src/atlas_common/stream_events.py, and both are tested against the same recorded
 * stream (tests/fixtures/streams/).
 *
 * Names follow upstream `@useatlas/sdk` (`text`, `tool-call`, `tool-result`, `result`, `error`,
 * `finish`); Atlas adds `status`, `plan`, `chart`, `clarification`, `suggestions`, `usage` and
 * `restart`. Chunks that only frame others (`start`, `text-start`, `text-end`,
 * `tool-input-start`) produce no event; a chunk of an unknown type is skipped.
 */
import { type AtlasError, errorFromText, isRecord } from "./errors.js";

/** A piece of the narrative: concatenate `content` for the answer. */
export interface TextEvent {
  type: "text";
  content: string;
  /** The text part it belongs to (a `restart` opens a new one). */
  id: string;
}
/** Atlas calls a tool; for `executeSQL` the args are `{sql}`. */
export interface ToolCallEvent {
  type: "tool-call";
  toolCallId: string;
  name: string;
  args: Record<string, unknown>;
}
/** A tool's output (for `executeSQL`: `{columns, rows, truncated}`). */
export interface ToolResultEvent {
  type: "tool-result";
  toolCallId: string;
  name: string;
  result: Record<string, unknown>;
}
/** The rows of an `executeSQL` call, right after its `tool-result`. */
export interface ResultEvent {
  type: "result";
  toolCallId: string;
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}
/** Progress; `stage` is e.g. `planning`, `executing`, or `stopped` after a stop. */
export interface StatusEvent {
  type: "status";
  message: string;
  stage: string | null;
}
export interface PlanEvent {
  type: "plan";
  summary: string;
  details: Record<string, unknown>;
}
/** A hint for charting the rows. */
export interface ChartEvent {
  type: "chart";
  chart: "number" | "bar" | "line" | "table" | (string & {});
  x: string | null;
  y: string[];
}
/** Atlas asks which meaning of `term` is meant; ask again with one of `options`. */
export interface ClarificationEvent {
  type: "clarification";
  term: string;
  options: string[];
  question: string;
}
export interface SuggestionsEvent {
  type: "suggestions";
  suggestions: string[];
}
export interface UsageEvent {
  type: "usage";
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}
/** The answer starts over (its job went to another worker): drop what came so far. */
export interface RestartEvent {
  type: "restart";
  attempt: number;
  reason: string;
}
/** The answer failed; the stream ends with `finish` (reason `error`) next. */
export interface ErrorEvent {
  type: "error";
  code: string;
  message: string;
  retryable: boolean;
  retryAfterSeconds?: number | undefined;
  requestId?: string | undefined;
  /** The same failure as an `AtlasError`, to throw if you like. */
  error: AtlasError;
}
/**
 * The last event of every stream. `stop`: the answer is complete; `stopped`: ended by
 * `stop()`; `error`: ended by an `error` event.
 */
export interface FinishEvent {
  type: "finish";
  reason: StreamFinishReason;
  conversationId: string | undefined;
  requestId: string | undefined;
}
export type StreamFinishReason = "stop" | "stopped" | "error";

export type StreamEvent =
  | TextEvent
  | ToolCallEvent
  | ToolResultEvent
  | ResultEvent
  | StatusEvent
  | PlanEvent
  | ChartEvent
  | ClarificationEvent
  | SuggestionsEvent
  | UsageEvent
  | RestartEvent
  | ErrorEvent
  | FinishEvent;

/** One AI SDK UI message stream chunk (the JSON of a `data:` frame). */
export type UIChunk = { type: string } & Record<string, unknown>;

/** UI chunks -> typed events. Stateful: remembers tool names and how the run ended. */
export class EventDecoder {
  /** The run's request id, from the `start` chunk's `messageId`. */
  messageId: string | undefined;
  conversationId: string | undefined;
  private readonly toolNames = new Map<string, string>();
  private stopped = false;
  private errored = false;

  constructor(conversationId?: string) {
    this.conversationId = conversationId;
  }

  decode(chunk: UIChunk): StreamEvent[] {
    switch (chunk.type) {
      case "start":
        this.messageId = str(chunk.messageId) || this.messageId;
        return [];
      case "text-delta":
        return [{ type: "text", content: str(chunk.delta), id: str(chunk.id) }];
      case "tool-input-start":
        this.toolNames.set(str(chunk.toolCallId), str(chunk.toolName));
        return [];
      case "tool-input-available":
        return [this.toolCall(chunk)];
      case "tool-output-available":
        return this.toolOutput(chunk);
      case "error":
        this.errored = true;
        return [errorEvent(errorFromText(str(chunk.errorText)))];
      case "finish":
        return [this.finish()];
      default:
        return this.dataEvent(chunk.type, record(chunk.data));
    }
  }

  private finish(): FinishEvent {
    const reason = this.errored ? "error" : this.stopped ? "stopped" : "stop";
    return {
      type: "finish",
      reason,
      conversationId: this.conversationId,
      requestId: this.messageId,
    };
  }

  private toolCall(chunk: UIChunk): ToolCallEvent {
    const toolCallId = str(chunk.toolCallId);
    const name = str(chunk.toolName) || (this.toolNames.get(toolCallId) ?? "");
    this.toolNames.set(toolCallId, name);
    return { type: "tool-call", toolCallId, name, args: record(chunk.input) };
  }

  private toolOutput(chunk: UIChunk): StreamEvent[] {
    const toolCallId = str(chunk.toolCallId);
    const name = this.toolNames.get(toolCallId) ?? "";
    const result = record(chunk.output);
    const events: StreamEvent[] = [{ type: "tool-result", toolCallId, name, result }];
    if (name === "executeSQL" && Array.isArray(result.columns) && Array.isArray(result.rows)) {
      const columns = result.columns.map(String);
      const rows = result.rows.filter(isRecord);
      events.push({
        type: "result",
        toolCallId,
        columns,
        rows,
        truncated: result.truncated === true,
      });
    }
    return events;
  }

  private dataEvent(type: string, d: Record<string, unknown>): StreamEvent[] {
    switch (type) {
      case "data-status":
        this.stopped ||= d.stage === "stopped";
        return [{ type: "status", message: str(d.message), stage: optStr(d.stage) }];
      case "data-plan":
        return [{ type: "plan", summary: str(d.summary), details: record(d.details) }];
      case "data-chart":
        return [{ type: "chart", chart: str(d.chart), x: optStr(d.x), y: strings(d.y) }];
      case "data-clarification":
        return [clarification(d)];
      case "data-suggestions":
        return [{ type: "suggestions", suggestions: strings(d.suggestions) }];
      case "data-usage":
        return [usage(d)];
      case "data-restart":
        return [{ type: "restart", attempt: int(d.attempt), reason: str(d.reason) }];
      default:
        return [];
    }
  }
}

/** Decode a whole sequence of chunks (e.g. a recorded stream) into events. */
export function toStreamEvents(chunks: Iterable<UIChunk>, conversationId?: string): StreamEvent[] {
  const decoder = new EventDecoder(conversationId);
  return [...chunks].flatMap((chunk) => decoder.decode(chunk));
}

export function errorEvent(error: AtlasError): ErrorEvent {
  const { code, message, retryable, retryAfterSeconds, requestId } = error;
  return {
    type: "error",
    code,
    message,
    retryable,
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    ...(requestId !== undefined && { requestId }),
    error,
  };
}

function clarification(d: Record<string, unknown>): ClarificationEvent {
  const question = str(d.question);
  return { type: "clarification", term: str(d.term), options: strings(d.options), question };
}

function usage(d: Record<string, unknown>): UsageEvent {
  const [inputTokens, outputTokens, totalTokens] = [d.inputTokens, d.outputTokens, d.totalTokens];
  return {
    type: "usage",
    inputTokens: int(inputTokens),
    outputTokens: int(outputTokens),
    totalTokens: int(totalTokens),
  };
}

function str(value: unknown): string {
  return typeof value === "string" ? value : value == null ? "" : String(value);
}

function optStr(value: unknown): string | null {
  return value == null ? null : String(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function int(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) ? value : 0;
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
