/** The few JSON calls the React package makes besides the chat stream (conversations,
 * starter prompts, managed sign-in), with the provider's credentials and the error envelope
 * turned into an `AtlasApiError` whose message is the envelope (see `parseChatError`). */

export interface AtlasConnection {
  apiUrl: string;
  /** Headers carrying the credential (Bearer API key or token), resolved per request. */
  headers: () => Promise<Record<string, string>>;
  /** "include" when the credential is the managed session cookie. */
  credentials: RequestCredentials;
}

export class AtlasApiError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(
      body ||
        JSON.stringify({
          error: status >= 500 ? "unavailable" : "unknown",
          message: `HTTP ${status}`,
        }),
    );
    this.name = "AtlasApiError";
  }
}

export function joinUrl(apiUrl: string, path: string): string {
  return apiUrl.replace(/\/+$/, "") + path;
}

export async function atlasFetch<T>(
  conn: AtlasConnection,
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T | undefined> {
  const headers: Record<string, string> = { ...(await conn.headers()) };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(joinUrl(conn.apiUrl, path), {
    method: init.method ?? "GET",
    headers,
    credentials: conn.credentials,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (!response.ok) throw new AtlasApiError(response.status, await response.text());
  if (response.status === 204) return undefined;
  return (await response.json()) as T;
}
