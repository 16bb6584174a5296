/** `useConversations`: the signed-in user's conversations (list, open, star, delete, share). */

import type { UIMessage } from "ai";
import { useCallback, useEffect, useState } from "react";

import { useAtlasContext } from "../context";
import { atlasFetch } from "../lib/api";

export interface Conversation {
  id: string;
  title: string;
  surface?: string;
  starred: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationMessage {
  id: string;
  role: "user" | "assistant" | "system";
  content: string;
  createdAt: string;
}

export interface ShareLink {
  token: string;
  url: string;
  expiresAt: string | null;
}

export interface UseConversationsOptions {
  /** Fetch the list when mounted (default true). */
  enabled?: boolean;
  limit?: number;
}

export interface UseConversationsReturn {
  conversations: Conversation[];
  total: number;
  loading: boolean;
  error: unknown;
  refresh: () => Promise<void>;
  /** A stored conversation's messages as chat messages (text parts). */
  open: (id: string) => Promise<UIMessage[]>;
  star: (id: string, starred: boolean) => Promise<void>;
  remove: (id: string) => Promise<void>;
  share: (id: string) => Promise<ShareLink | undefined>;
}

export function toUIMessages(messages: ConversationMessage[]): UIMessage[] {
  return messages
    .filter((m) => m.role === "user" || m.role === "assistant")
    .map((m) => ({ id: m.id, role: m.role, parts: [{ type: "text", text: m.content }] }));
}

export function useConversations(options: UseConversationsOptions = {}): UseConversationsReturn {
  const { connection } = useAtlasContext();
  const { enabled = true, limit = 50 } = options;
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();

  const refresh = useCallback(async () => {
    setLoading(true);
    try {
      const page = await atlasFetch<{ conversations: Conversation[]; total: number }>(
        connection,
        `/api/v1/conversations?limit=${limit}`,
      );
      setConversations(page?.conversations ?? []);
      setTotal(page?.total ?? 0);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }, [connection, limit]);

  useEffect(() => {
    if (enabled) void refresh();
  }, [enabled, refresh]);

  const open = useCallback(
    async (id: string) => {
      const found = await atlasFetch<{ messages: ConversationMessage[] }>(
        connection,
        `/api/v1/conversations/${encodeURIComponent(id)}`,
      );
      return toUIMessages(found?.messages ?? []);
    },
    [connection],
  );

  const star = useCallback(
    async (id: string, starred: boolean) => {
      await atlasFetch(connection, `/api/v1/conversations/${encodeURIComponent(id)}/star`, {
        method: "PATCH",
        body: { starred },
      });
      setConversations((all) => all.map((c) => (c.id === id ? { ...c, starred } : c)));
    },
    [connection],
  );

  const remove = useCallback(
    async (id: string) => {
      await atlasFetch(connection, `/api/v1/conversations/${encodeURIComponent(id)}`, {
        method: "DELETE",
      });
      setConversations((all) => all.filter((c) => c.id !== id));
      setTotal((n) => Math.max(0, n - 1));
    },
    [connection],
  );

  const share = useCallback(
    (id: string) =>
      atlasFetch<ShareLink>(connection, `/api/v1/conversations/${encodeURIComponent(id)}/share`, {
        method: "POST",
        body: {},
      }),
    [connection],
  );

  return { conversations, total, loading, error, refresh, open, star, remove, share };
}
