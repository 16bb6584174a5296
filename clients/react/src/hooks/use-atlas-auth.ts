/** `useAtlasAuth`: who is signed in, and managed sign-in / sign-up / sign-out through the
 * gateway's auth endpoints (the session cookie). With an API key or token on the provider,
 * no sign-in is needed. */

import { useCallback, useEffect, useState } from "react";

import { useAtlasContext } from "../context";
import { atlasFetch } from "../lib/api";

export interface AtlasUser {
  id: string;
  email: string;
  name?: string;
  role?: string;
}

export type AuthStatus = "loading" | "signed-in" | "signed-out";

export interface UseAtlasAuthReturn {
  status: AuthStatus;
  /** The gateway's auth mode (`managed`, `none`, ...), from `/api/health`. */
  mode: string | undefined;
  user: AtlasUser | undefined;
  signIn: (email: string, password: string) => Promise<void>;
  signUp: (email: string, password: string, name: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Use an API key (or any Bearer token) for this session, once `GET /api/v1/me` accepts it. */
  signInWithKey: (key: string) => Promise<void>;
}

async function authMode(conn: Parameters<typeof atlasFetch>[0]): Promise<string | undefined> {
  const health = await atlasFetch<{ checks?: { auth?: { mode?: string } } }>(
    conn,
    "/api/health",
  ).catch(() => undefined);
  return health?.checks?.auth?.mode;
}

export function useAtlasAuth(): UseAtlasAuthReturn {
  const { connection, hasCredential, setSessionToken } = useAtlasContext();
  const [status, setStatus] = useState<AuthStatus>(hasCredential ? "signed-in" : "loading");
  const [mode, setMode] = useState<string>();
  const [user, setUser] = useState<AtlasUser>();

  const check = useCallback(async () => {
    const found = await authMode(connection);
    setMode(found);
    if (found === "none") return setStatus("signed-in");
    const session = await atlasFetch<{ user?: AtlasUser }>(
      connection,
      "/api/auth/get-session",
    ).catch(() => undefined);
    setUser(session?.user);
    setStatus(session?.user ? "signed-in" : "signed-out");
  }, [connection]);

  useEffect(() => {
    if (!hasCredential) void check();
  }, [hasCredential, check]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const answer = await atlasFetch<{ token?: string; user: AtlasUser }>(
        connection,
        "/api/auth/sign-in/email",
        {
          method: "POST",
          body: { email, password },
        },
      );
      setSessionToken(answer?.token);
      setUser(answer?.user);
      setStatus("signed-in");
    },
    [connection, setSessionToken],
  );

  const signUp = useCallback(
    async (email: string, password: string, name: string) => {
      const answer = await atlasFetch<{ token?: string; user: AtlasUser }>(
        connection,
        "/api/auth/sign-up/email",
        {
          method: "POST",
          body: { email, password, name },
        },
      );
      setSessionToken(answer?.token);
      setUser(answer?.user);
      setStatus("signed-in");
    },
    [connection, setSessionToken],
  );

  const signOut = useCallback(async () => {
    await atlasFetch(connection, "/api/auth/sign-out", { method: "POST", body: {} }).catch(
      () => undefined,
    );
    setSessionToken(undefined);
    setUser(undefined);
    setStatus("signed-out");
  }, [connection, setSessionToken]);

  const signInWithKey = useCallback(
    async (key: string) => {
      setSessionToken(key);
      try {
        await atlasFetch(connection, "/api/v1/me");
      } catch (error) {
        setSessionToken(undefined);
        throw error;
      }
      setStatus("signed-in");
    },
    [connection, setSessionToken],
  );

  return { status, mode, user, signIn, signUp, signOut, signInWithKey };
}
