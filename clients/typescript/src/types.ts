/**
 * The request and response bodies of the API, as the gateway's OpenAPI document describes
 * them (src/generated/openapi.ts, `npm run generate`), under the names upstream
 * `@useatlas/sdk` uses. Only option objects of the SDK's own methods are written here.
 */
import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** `POST /api/v1/query`: the whole answer. */
export type QueryResponse = Schemas["QueryResponse"];
export type DataSet = Schemas["DataSet"];
export type Clarification = Schemas["Clarification"];
export type Usage = Schemas["Usage"];
export type StopResponse = Schemas["StopResponse"];
export type RunStatusResponse = Schemas["RunStatusResponse"];
export type RunStatus = RunStatusResponse["status"];
/** The error body of every failed call (what `AtlasError` is made from). */
export type ErrorEnvelope = Schemas["ErrorEnvelope"];

export type Conversation = Schemas["ConversationOut"];
export type ConversationWithMessages = Schemas["ConversationDetail"];
export type Message = Schemas["MessageOut"];
export type Surface = Conversation["surface"];
export type ListConversationsResponse = Schemas["ConversationList"];
export type StarResponse = Schemas["StarOut"];
export type ShareConversationResponse = Schemas["ShareLink"];
export type ShareOptions = Schemas["ShareRequest"];
/** The public, read-only view of a shared conversation. */
export type SharedConversation = Schemas["SharedConversation"];

export type TableColumn = Schemas["ColumnOut"];
export type TableInfo = Schemas["TableOut"];
export type ListTablesResponse = Schemas["TablesResponse"];
export type ValidateSQLResponse = Schemas["ValidateSqlResponse"];
/** Layers as upstream Atlas names them (`empty_check`, `regex_guard`...), plus Atlas's own. */
export type ValidationLayer = Schemas["ValidationIssue"]["layer"];
export type StarterPrompt = Schemas["StarterPrompt"];
export type StarterPromptProvenance = StarterPrompt["provenance"];
export type StarterPromptsResponse = Schemas["StarterPromptsResponse"];

export interface ListConversationsOptions {
  limit?: number;
  offset?: number;
  starred?: boolean;
}

export interface ListTablesOptions {
  /** A datasource id (`default`); an unknown one is a `not_found` AtlasError. */
  connectionId?: string;
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
