/** `useAtlasChat`: the AI SDK's `useChat` on a transport to Atlas's `/api/v1/chat`.
 *
 * Resume uses `GET /api/v1/chat/{chatId}/stream` (the gateway answers 204 when no run is
 * active, 404 when it knows none: both mean nothing to resume); stop aborts the stream and
 * asks the gateway to cancel the run, since a client that only disconnects leaves the job
 * running for the grace period (it may come back).
 */

import { useChat } from "@ai-sdk/react";
import type { UIMessage } from "ai";
import { DefaultChatTransport } from "ai";
import { useCallback, useMemo, useRef, useState } from "react";

import { useAtlasContext } from "../context";
import { atlasFetch, joinUrl } from "../lib/api";
import type { ChatErrorInfo } from "../lib/errors";
import { parseChatError } from "../lib/errors";

export type AtlasChatStatus = "submitted" | "streaming" | "ready" | "error";

export interface UseAtlasChatOptions {
  /** The chat id; a conversation's id continues it. A new id starts a new conversation. */
  id?: string;
  initialMessages?: UIMessage[];
  /** A stored conversation this chat continues (sent as `conversationId`). */
  conversationId?: string;
  /** Reconnect to a run still streaming for this chat id when mounted. */
  resume?: boolean;
  onFinish?: () => void;
  onError?: (error: ChatErrorInfo) => void;
}

export interface UseAtlasChatReturn {
  id: string;
  messages: UIMessage[];
  status: AtlasChatStatus;
  error: ChatErrorInfo | undefined;
  conversationId: string | undefined;
  ask: (text: string) => Promise<void>;
  stop: () => Promise<void>;
  retry: () => Promise<void>;
  setMessages: (messages: UIMessage[]) => void;
}

export function useAtlasChat(options: UseAtlasChatOptions = {}): UseAtlasChatReturn {
  const { connection } = useAtlasContext();
  const [conversationId, setConversationId] = useState<string | undefined>(options.conversationId);
  const requestId = useRef<string | undefined>(undefined);
  const continued = useRef(options.conversationId);
  const transport = useMemo(
    () =>
      new DefaultChatTransport({
        api: joinUrl(connection.apiUrl, "/api/v1/chat"),
        credentials: connection.credentials,
        headers: () => connection.headers(),
        body: () => (continued.current ? { conversationId: continued.current } : {}),
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          // Only a resume is a GET: a run the gateway no longer knows (404) has nothing to
          // resume, as its 204 says, not an error to show.
          if ((init?.method ?? "GET") === "GET" && response.status === 404) {
            return new Response(null, { status: 204 });
          }
          requestId.current = response.headers.get("x-request-id") ?? undefined;
          const conversation = response.headers.get("x-conversation-id");
          if (conversation) {
            continued.current = conversation;
            setConversationId(conversation);
          }
          return response;
        },
        prepareReconnectToStreamRequest: ({ id }) => ({
          api: joinUrl(connection.apiUrl, `/api/v1/chat/${encodeURIComponent(id)}/stream`),
        }),
      }),
    [connection],
  );
  const onError = options.onError;
  const chat = useChat({
    id: options.id,
    messages: options.initialMessages,
    transport,
    resume: options.resume,
    onFinish: () => options.onFinish?.(),
    onError: (error) => onError?.(parseChatError(error)),
  });
  const { sendMessage, stop: abort, regenerate, clearError } = chat;
  const ask = useCallback((text: string) => sendMessage({ text }), [sendMessage]);
  const stop = useCallback(async () => {
    const running = requestId.current;
    await abort();
    if (running) {
      const path = `/api/v1/chat/${encodeURIComponent(running)}/stop`;
      await atlasFetch(connection, path, { method: "POST", body: {} }).catch(() => undefined);
    }
  }, [abort, connection]);
  const retry = useCallback(async () => {
    clearError();
    await regenerate();
  }, [clearError, regenerate]);
  const error = useMemo(() => (chat.error ? parseChatError(chat.error) : undefined), [chat.error]);
  return {
    id: chat.id,
    messages: chat.messages,
    status: chat.status,
    error,
    conversationId,
    ask,
    stop,
    retry,
    setMessages: chat.setMessages,
  };
}
