/**
 * @useatlas/sdk: the TypeScript client of the Atlas API.
 *
 * ```ts
 * import { createAtlasClient } from "@useatlas/sdk";
 * const atlas = createAtlasClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "sk-..." });
 * const { answer } = await atlas.query("How many users signed up last week?");
 * ```
 *
 * Also exported for other clients of the stream (the React package): `parseSSE` (a body ->
 * SSE frames), `SSEParser`, `EventDecoder` / `toStreamEvents` (UI chunks -> typed events).
 */
import { Atlas } from "./client.js";

export * from "./admin.js";
export {
  type AskOptions,
  Atlas,
  type AtlasClient,
  type AtlasClientOptions,
  type ChatOptions,
  createAtlasClient,
  type QueryOptions,
  type StreamQueryOptions,
} from "./client.js";
export {
  AtlasError,
  type AtlasErrorCode,
  type AtlasErrorInit,
  errorFromEnvelope,
  errorFromText,
} from "./errors.js";
export * from "./events.js";
export type { components, paths } from "./generated/openapi.js";
export * from "./scheduled-tasks.js";
export { DONE, frameKey, type ParseSSEOptions, parseSSE, type SSEFrame, SSEParser } from "./sse.js";
export { AtlasStream } from "./stream.js";
export type { FetchLike } from "./transport.js";
export type * from "./types.js";

export default Atlas;
