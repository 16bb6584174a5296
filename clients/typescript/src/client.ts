/**
 * The Atlas client: `createAtlasClient(options)` or `new Atlas(options)` (the same thing).
 * Zero dependencies: `fetch` and web streams, so it runs on Node 18+, Bun, Deno and browsers.
 */
import { Admin, type AuditLogOptions, type AuditLogResponse } from "./admin.js";
import { AtlasError } from "./errors.js";
import { ScheduledTasks } from "./scheduled-tasks.js";
import { AtlasStream } from "./stream.js";
import { Transport, type TransportOptions } from "./transport.js";
import type {
  ChatMessage,
  ConversationWithMessages,
  GetStarterPromptsOptions,
  ListConversationsOptions,
  ListConversationsResponse,
  ListTablesOptions,
  ListTablesResponse,
  QueryResponse,
  ShareConversationResponse,
  SharedConversation,
  ShareOptions,
  StarResponse,
  StarterPromptsResponse,
  ValidateSQLResponse,
} from "./types.js";

export interface AtlasClientOptions extends TransportOptions {
  /** The gateway, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** An Atlas API key (sent as `Authorization: Bearer`). Takes precedence over bearerToken. */
  apiKey?: string | undefined;
  /** A session token or JWT of your identity provider. */
  bearerToken?: string | undefined;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: TransportOptions["fetch"];
  /** Milliseconds to wait for an answer's headers (JSON calls: the whole body). Default 180000
   *  (Atlas's own deadline for an answer is 120 s). */
  timeoutMs?: number | undefined;
  /** How many times a 429 or 503 is retried, honouring Retry-After. Default 2. */
  maxRetries?: number | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
}

export interface QueryOptions {
  conversationId?: string | undefined;
  signal?: AbortSignal | undefined;
}

export type StreamQueryOptions = QueryOptions;

export interface AskOptions extends QueryOptions {
  /** `false`: a one-off question, nothing is stored (`conversationId` comes back null). */
  store?: boolean | undefined;
}

export interface ChatOptions extends QueryOptions {
  /** The chat's id (the AI SDK's); made by the server when absent. */
  id?: string | undefined;
}

const enc = encodeURIComponent;

export class Atlas {
  /** Conversations of the caller: list, read, delete, star, share. */
  readonly conversations: Conversations;
  /** Questions asked on a schedule and delivered: list, get, create, update, delete, trigger. */
  readonly scheduledTasks: ScheduledTasks;
  /** The admin console's calls (admin role): overview, semantic layer, audit trail, plan. */
  readonly admin: Admin;
  private readonly http: Transport;

  constructor(options: AtlasClientOptions) {
    this.http = new Transport(options);
    this.conversations = new Conversations(this.http);
    this.scheduledTasks = new ScheduledTasks(this.http);
    this.admin = new Admin(this.http);
  }

  /** Ask a question and wait for the whole answer. */
  query(question: string, options: AskOptions = {}): Promise<QueryResponse> {
    const body = { question, conversationId: options.conversationId, store: options.store };
    return this.http.json("/api/v1/query", { method: "POST", body, signal: options.signal });
  }

  /**
   * Ask a question and iterate the answer as typed events (`for await`). A dropped connection
   * is resumed transparently; `stream.stop()` or the signal stops the run on the server.
   */
  streamQuery(question: string, options: StreamQueryOptions = {}): AtlasStream {
    const message = {
      id: messageId(),
      role: "user" as const,
      parts: [{ type: "text", text: question }],
    };
    return this.openStream([message], options);
  }

  /** Send AI SDK UI messages; the raw `text/event-stream` Response (AI SDK UI message stream). */
  chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<Response> {
    const body = { id: options.id, messages, conversationId: options.conversationId };
    return this.http.request("/api/v1/chat", {
      method: "POST",
      body,
      signal: options.signal,
      streaming: true,
    });
  }

  /** The tables of the semantic layer, with their columns. */
  listTables(options: ListTablesOptions = {}): Promise<ListTablesResponse> {
    return this.http.json(`/api/v1/tables${query({ connectionId: options.connectionId })}`);
  }

  /** Check SQL against the guard without running it. */
  validateSQL(sql: string, connectionId?: string): Promise<ValidateSQLResponse> {
    return this.http.json("/api/v1/validate-sql", { method: "POST", body: { sql, connectionId } });
  }

  /** Questions to start with, in display order. */
  getStarterPrompts(options: GetStarterPromptsOptions = {}): Promise<StarterPromptsResponse> {
    return this.http.json(`/api/v1/starter-prompts${query({ limit: options.limit })}`);
  }

  /** Upstream's alias of `admin.audit(options)`: one page of the audit trail (admin role). */
  getAuditLog(options: AuditLogOptions = {}): Promise<AuditLogResponse> {
    return this.admin.audit(options);
  }

  private openStream(messages: ChatMessage[], options: StreamQueryOptions): AtlasStream {
    return new AtlasStream(this.http, this.chat(messages, options), options.signal);
  }
}

class Conversations {
  constructor(private readonly http: Transport) {}

  /** Your conversations, newest first. */
  list(options: ListConversationsOptions = {}): Promise<ListConversationsResponse> {
    return this.http.json(`/api/v1/conversations${query({ ...options })}`);
  }

  /** One conversation with its messages. */
  get(id: string): Promise<ConversationWithMessages> {
    return this.http.json(`/api/v1/conversations/${enc(id)}`);
  }

  /** Delete a conversation; true when it was deleted. */
  async delete(id: string): Promise<boolean> {
    await this.http.json(`/api/v1/conversations/${enc(id)}`, { method: "DELETE" });
    return true;
  }

  star(id: string): Promise<StarResponse> {
    return this.setStar(id, true);
  }

  unstar(id: string): Promise<StarResponse> {
    return this.setStar(id, false);
  }

  /** A public, read-only link to the conversation; a new share revokes the previous link. */
  share(id: string, options: ShareOptions = {}): Promise<ShareConversationResponse> {
    const path = `/api/v1/conversations/${enc(id)}/share`;
    return this.http.json(path, { method: "POST", body: options });
  }

  /** Revoke the conversation's share link. */
  async unshare(id: string): Promise<void> {
    await this.http.json(`/api/v1/conversations/${enc(id)}/share`, { method: "DELETE" });
  }

  /** The public view of a shared conversation, by its token (no credentials needed). */
  getShared(token: string): Promise<SharedConversation> {
    return this.http.json(`/api/public/conversations/${enc(token)}`);
  }

  private setStar(id: string, starred: boolean): Promise<StarResponse> {
    const path = `/api/v1/conversations/${enc(id)}/star`;
    return this.http.json(path, { method: "PATCH", body: { starred } });
  }
}

/** `?a=1&b=2` of the defined values; "" when none. */
function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function messageId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `m-${Date.now()}-${Math.random().toString(36).slice(2)}`
  );
}

/** The same client as `new Atlas(options)`. */
export function createAtlasClient(options: AtlasClientOptions): Atlas {
  return new Atlas(options);
}

export type AtlasClient = Atlas;
export { AtlasError };
