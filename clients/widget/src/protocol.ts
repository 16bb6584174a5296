/** The messages between the host page (the loader) and the widget iframe.
 *
 * Both sides check the sender's exact origin and window before looking at a message, then
 * validate its shape here; anything else is ignored. The API key travels only in messages
 * addressed to the gateway's exact origin, never in a URL.
 */

export type Theme = "light" | "dark" | "system";

/** Host -> iframe. */
export type HostMessage =
  | { type: "atlas:init"; token?: string; theme?: Theme }
  | { type: "auth"; token: string }
  | { type: "theme"; value: Theme }
  | { type: "atlas:ask"; query: string }
  | { type: "focus" };

/** Iframe -> host. */
export type FrameMessage =
  | { type: "atlas:ready" }
  | { type: "atlas:close" }
  | { type: "atlas:error"; code: string; message: string }
  | { type: "atlas:queryComplete" };

const MAX_TEXT = 4000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isTheme(value: unknown): value is Theme {
  return value === "light" || value === "dark" || value === "system";
}

function isText(value: unknown, max = MAX_TEXT): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max;
}

export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isRecord(data)) return null;
  switch (data.type) {
    case "atlas:init":
      if (data.token !== undefined && !isText(data.token, 8192)) return null;
      if (data.theme !== undefined && !isTheme(data.theme)) return null;
      return { type: "atlas:init", token: data.token, theme: data.theme };
    case "auth":
      return isText(data.token, 8192) ? { type: "auth", token: data.token } : null;
    case "theme":
      return isTheme(data.value) ? { type: "theme", value: data.value } : null;
    case "atlas:ask":
      return isText(data.query) ? { type: "atlas:ask", query: data.query } : null;
    case "focus":
      return { type: "focus" };
    default:
      return null;
  }
}

export function parseFrameMessage(data: unknown): FrameMessage | null {
  if (!isRecord(data)) return null;
  switch (data.type) {
    case "atlas:ready":
    case "atlas:close":
    case "atlas:queryComplete":
      return { type: data.type };
    case "atlas:error":
      return typeof data.code === "string" && typeof data.message === "string"
        ? {
            type: "atlas:error",
            code: data.code.slice(0, 100),
            message: data.message.slice(0, 1000),
          }
        : null;
    default:
      return null;
  }
}
