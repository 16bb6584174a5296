/**
 * @useatlas/sdk: the TypeScript client of the Atlas API.
 *
 * ```ts
 * import { createAtlasClient } from "@useatlas/sdk";
 * const atlas = createAtlasClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "sk-..." });
 * const { answer } = await atlas.query("How many users signed up last week?");
 * ```
 */
export { AtlasError, type AtlasErrorCode } from "./errors.js";
