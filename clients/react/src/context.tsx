/** `AtlasProvider`: where the chat finds the API, its credential and the theme.
 *
 * The credential is read per request through a ref, so a new `apiKey` (the widget's
 * `setAuthToken`) or a `getToken` that refreshes takes effect without rebuilding the chat.
 * With neither, requests carry the managed session: the token a sign-in returned (kept in
 * memory: a cross-site iframe gets no cookie) and the session cookie (`credentials: "include"`).
 */

import type { ReactNode } from "react";
import { createContext, useContext, useEffect, useMemo, useRef, useState } from "react";

import type { AtlasConnection } from "./lib/api";

export type ThemeMode = "light" | "dark" | "system";

export interface AtlasProviderProps {
  /** Base URL of the Atlas gateway, e.g. `https://atlas.example.com`. */
  apiUrl: string;
  /** An Atlas API key (`atlas_sk_...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Returns a Bearer token (session token or JWT) for each request; wins over `apiKey`. */
  getToken?: () => string | undefined | null | Promise<string | undefined | null>;
  theme?: ThemeMode;
  children?: ReactNode;
}

export interface AtlasContextValue {
  apiUrl: string;
  connection: AtlasConnection;
  /** True when a key or token is given (no managed sign-in needed). */
  hasCredential: boolean;
  /** Managed sign-in keeps its session token here (`undefined` on sign-out). */
  setSessionToken: (token: string | undefined) => void;
  theme: ThemeMode;
  /** The theme applied now: `system` resolved through `prefers-color-scheme`. */
  resolvedTheme: "light" | "dark";
}

const AtlasContext = createContext<AtlasContextValue | null>(null);

function useResolvedTheme(theme: ThemeMode): "light" | "dark" {
  const query =
    typeof window !== "undefined" && window.matchMedia
      ? window.matchMedia("(prefers-color-scheme: dark)")
      : null;
  const [systemDark, setSystemDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query || theme !== "system") return;
    const update = () => setSystemDark(query.matches);
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, [query, theme]);
  return theme === "system" ? (systemDark ? "dark" : "light") : theme;
}

export function AtlasProvider({
  apiUrl,
  apiKey,
  getToken,
  theme = "light",
  children,
}: AtlasProviderProps) {
  const credential = useRef({ apiKey, getToken });
  credential.current = { apiKey, getToken };
  const session = useRef<string | undefined>(undefined);
  const hasCredential = Boolean(apiKey || getToken);
  const connection = useMemo<AtlasConnection>(
    () => ({
      apiUrl,
      credentials: hasCredential ? "omit" : "include",
      headers: async (): Promise<Record<string, string>> => {
        const { apiKey: key = session.current, getToken: tokenOf } = credential.current;
        const token = tokenOf ? await tokenOf() : key;
        const headers: Record<string, string> = {};
        if (token) headers.authorization = `Bearer ${token}`;
        return headers;
      },
    }),
    [apiUrl, hasCredential],
  );
  const resolvedTheme = useResolvedTheme(theme);
  const value = useMemo(
    () => ({
      apiUrl,
      connection,
      hasCredential,
      theme,
      resolvedTheme,
      setSessionToken: (token: string | undefined) => {
        session.current = token;
      },
    }),
    [apiUrl, connection, hasCredential, theme, resolvedTheme],
  );
  return <AtlasContext.Provider value={value}>{children}</AtlasContext.Provider>;
}

export function useAtlasContext(): AtlasContextValue {
  const value = useContext(AtlasContext);
  if (!value) throw new Error("Atlas hooks and components must be used inside <AtlasProvider>.");
  return value;
}
