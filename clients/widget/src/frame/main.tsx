/** The `/widget` iframe app: the React package's chat, driven by the loader on the host page.
 *
 * It accepts messages only from its parent window at the exact origin the loader announced in
 * `?host=` (the gateway's `frame-ancestors` policy already limits who may frame it), and it
 * posts only to that origin. Until `atlas:init` arrives it shows nothing but a loading note,
 * so a key sent a moment later is never raced by a request without it.
 */

import type { AtlasChatHandle } from "@useatlas/react";
import { AtlasChat, AtlasProvider } from "@useatlas/react";
import "@useatlas/react/styles.css";
import "./frame.css";
import type { CSSProperties } from "react";
import { StrictMode, useCallback, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import type { FrameMessage, HostMessage, Theme } from "../protocol";
import { isTheme, parseHostMessage } from "../protocol";

const params = new URLSearchParams(location.search);

function hostOrigin(): string | null {
  try {
    const origin = new URL(params.get("host") ?? "").origin;
    return origin !== "null" && window.parent !== window ? origin : null;
  } catch {
    return null;
  }
}

const HOST = hostOrigin();
const ACCENT = /^[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(params.get("accent") ?? "")
  ? `#${params.get("accent")}`
  : undefined;

function starterPrompts(): string[] | undefined {
  try {
    const value: unknown = JSON.parse(params.get("starterPrompts") ?? "null");
    return Array.isArray(value)
      ? value.filter((v): v is string => typeof v === "string")
      : undefined;
  } catch {
    return undefined;
  }
}

function post(message: FrameMessage): void {
  if (HOST) window.parent.postMessage(message, HOST);
}

function useHost(chat: React.RefObject<AtlasChatHandle | null>) {
  const initialTheme = params.get("theme");
  const [token, setToken] = useState<string>();
  const [theme, setTheme] = useState<Theme>(isTheme(initialTheme) ? initialTheme : "light");
  const [ready, setReady] = useState(HOST === null);
  const asks = useRef<string[]>([]);
  // A focus asked for before the chat mounted (the host sends it right after the init
  // message) is kept and given when it mounts, or a keyboard user lands nowhere.
  const focusPending = useRef(false);
  useEffect(() => {
    const handle = (message: HostMessage) => {
      if (message.type === "atlas:init") {
        setToken(message.token);
        if (message.theme) setTheme(message.theme);
        setReady(true);
      } else if (message.type === "auth") setToken(message.token);
      else if (message.type === "theme") setTheme(message.value);
      else if (message.type === "focus") {
        if (chat.current) chat.current.focus();
        else focusPending.current = true;
      } else if (chat.current) chat.current.ask(message.query);
      else asks.current.push(message.query);
    };
    const onMessage = (event: MessageEvent) => {
      if (!HOST || event.source !== window.parent || event.origin !== HOST) return;
      const message = parseHostMessage(event.data);
      if (message) handle(message);
    };
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && post({ type: "atlas:close" });
    window.addEventListener("message", onMessage);
    document.addEventListener("keydown", onKey);
    post({ type: "atlas:ready" });
    return () => {
      window.removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKey);
    };
  }, [chat]);
  return { token, theme, ready, asks, focusPending };
}

function WidgetApp() {
  const chat = useRef<AtlasChatHandle>(null);
  const { token, theme, ready, asks, focusPending } = useHost(chat);
  // The chat mounts after the init message, and again after a sign-in: questions asked
  // before that wait here and are asked as soon as it is there.
  const attach = useCallback(
    (handle: AtlasChatHandle | null) => {
      chat.current = handle;
      if (handle && focusPending.current) {
        focusPending.current = false;
        handle.focus();
      }
      for (const query of handle ? asks.current.splice(0) : []) handle?.ask(query);
    },
    [asks, focusPending],
  );
  if (!ready)
    return (
      <p className="atlas-frame-loading" role="status">
        Loading…
      </p>
    );
  const style = ACCENT ? ({ "--atlas-accent": ACCENT } as CSSProperties) : undefined;
  return (
    <AtlasProvider apiUrl={location.origin} apiKey={token} theme={theme}>
      <AtlasChat
        ref={attach}
        sidebar={false}
        title="Atlas"
        logo={params.get("logo") ?? undefined}
        style={style}
        starterPrompts={starterPrompts()}
        showBranding={params.get("showBranding") !== "false"}
        onError={(e) => post({ type: "atlas:error", code: e.code, message: e.message })}
        onQueryComplete={() => post({ type: "atlas:queryComplete" })}
      />
    </AtlasProvider>
  );
}

const root = document.getElementById("root");
if (root)
  createRoot(root).render(
    <StrictMode>
      <WidgetApp />
    </StrictMode>,
  );
