/** The SDK's `admin` namespace on the gateway's own origin, with the session cookie. */

import type { Admin } from "@useatlas/sdk";
import { createAtlasClient } from "@useatlas/sdk";

import { consoleFetch } from "./api";

let client: Admin | undefined;

export function admin(): Admin {
  client ??= createAtlasClient({
    baseUrl: window.location.origin,
    fetch: consoleFetch,
  }).admin;
  return client;
}
