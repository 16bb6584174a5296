/**
 * The request and response bodies of the API. Where the gateway's OpenAPI document describes a
 * body, the type is the generated one (src/generated/openapi.ts, `npm run generate`).
 */
import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** `POST /api/v1/query`: the whole answer. */
export type QueryResponse = Schemas["QueryResponse"];
export type DataSet = Schemas["DataSet"];
export type Clarification = Schemas["Clarification"];
export type Usage = Schemas["Usage"];
export type StopResponse = Schemas["StopResponse"];

export type Surface = "web" | "api" | "mcp" | "slack" | (string & {});

export interface Conversation {
  id: string;
  userId: string | null;
  title: string;
  surface: Surface;
  connectionId: string | null;
  starred: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Message {
  id: string;
  conversationId: string;
  role: "user" | "assistant" | "system" | (string & {});
  content: string;
  createdAt: string;
}

export interface ConversationWithMessages extends Conversation {
  messages: Message[];
}

export interface ListConversationsResponse {
  conversations: Conversation[];
  total: number;
}

export interface ListConversationsOptions {
  limit?: number;
  offset?: number;
  starred?: boolean;
}

export interface StarResponse {
  id: string;
  starred: boolean;
}

export interface ShareOptions {
  /** How long the link lives: `1h`, `24h`, `7d`, `30d` or `never`. */
  expiresIn?: "1h" | "24h" | "7d" | "30d" | "never";
}

export interface ShareConversationResponse {
  token: string;
  url: string;
  expiresAt: string | null;
  shareMode: string;
}

/** The public, read-only view of a shared conversation. */
export interface SharedConversation {
  title: string;
  surface: Surface;
  createdAt: string;
  shareMode: string;
  messages: Array<{ role: string; content: string; createdAt: string }>;
}

export interface TableColumn {
  name: string;
  type: string;
  description: string;
}

export interface TableInfo {
  table: string;
  description: string;
  columns: TableColumn[];
}

export interface ListTablesResponse {
  tables: TableInfo[];
}

export interface ListTablesOptions {
  /** A datasource id (`default`); an unknown one is a `not_found` AtlasError. */
  connectionId?: string;
}

/** Layers as upstream Atlas names them, plus Atlas's own. */
export type ValidationLayer =
  | "empty_check"
  | "connection"
  | "regex_guard"
  | "ast_parse"
  | "table_whitelist"
  | (string & {});

export interface ValidateSQLResponse {
  valid: boolean;
  errors: Array<{ layer: ValidationLayer; message: string }>;
  tables: string[];
  rewrittenSql?: string | null;
}

export interface StarterPrompt {
  id: string;
  text: string;
  provenance: string;
}

export interface StarterPromptsResponse {
  prompts: StarterPrompt[];
  total: number;
}

export interface GetStarterPromptsOptions {
  limit?: number;
}

/** An AI SDK UI message, as `chat()` sends it. */
export interface ChatMessage {
  id: string;
  role: "user" | "assistant" | "system";
  parts: Array<{ type: string; [key: string]: unknown }>;
}
