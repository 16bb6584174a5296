/** `AtlasChat`: the whole chat inside an `AtlasProvider`: sign-in when needed, the
 * conversation sidebar, starter prompts when empty, the messages, the error banner and the
 * question box. Everything sits in one `.atlas-root` element that carries the theme. */

import type { UIMessage } from "ai";
import type { CSSProperties } from "react";
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from "react";

import { useAtlasContext } from "../context";
import { useAtlasAuth } from "../hooks/use-atlas-auth";
import { useAtlasChat } from "../hooks/use-atlas-chat";
import type { UseConversationsReturn } from "../hooks/use-conversations";
import { useConversations } from "../hooks/use-conversations";
import { useStarterPrompts } from "../hooks/use-starter-prompts";
import type { ChatErrorInfo } from "../lib/errors";
import { Composer } from "./composer";
import { ConversationSidebar } from "./conversation-sidebar";
import { ErrorBanner } from "./error-banner";
import { KeyCard } from "./key-card";
import { Message } from "./message";
import { SignInCard } from "./sign-in-card";
import type { ToolRenderers } from "./tool-part";

export interface AtlasChatProps {
  /** Show the conversation sidebar (default: true when signed in without an API key). */
  sidebar?: boolean;
  toolRenderers?: ToolRenderers;
  /** Replaces `/api/v1/starter-prompts`. */
  starterPrompts?: readonly string[];
  showBranding?: boolean;
  title?: string;
  logo?: string;
  className?: string;
  /** Inline style of the root (e.g. `{"--atlas-accent": "#0f766e"}`). */
  style?: CSSProperties;
  onError?: (error: ChatErrorInfo) => void;
  onQueryComplete?: () => void;
}

/** What a host (the widget) can do to a mounted chat. */
export interface AtlasChatHandle {
  ask: (text: string) => void;
  focus: () => void;
}

interface ThreadProps extends AtlasChatProps {
  chatId: string;
  initialMessages?: UIMessage[];
  resume: boolean;
  conversations?: UseConversationsReturn;
}

const Thread = forwardRef<AtlasChatHandle, ThreadProps>(function Thread(props, ref) {
  const { chatId, initialMessages, resume, conversations, toolRenderers, starterPrompts } = props;
  const chat = useAtlasChat({
    id: chatId,
    initialMessages,
    resume,
    conversationId: resume ? chatId : undefined,
    onError: props.onError,
    onFinish: () => {
      void conversations?.refresh();
      props.onQueryComplete?.();
    },
  });
  const prompts = useStarterPrompts(starterPrompts, chat.messages.length === 0);
  const input = useRef<HTMLTextAreaElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const busy = chat.status === "submitted" || chat.status === "streaming";
  const ask = useCallback((text: string) => void chat.ask(text), [chat.ask]);
  useImperativeHandle(ref, () => ({ ask, focus: () => input.current?.focus() }), [ask]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the messages change
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [chat.messages]);
  const last = chat.messages[chat.messages.length - 1];

  return (
    <div className="atlas-thread">
      <div className="atlas-messages" role="log" aria-live="polite" aria-label="Conversation">
        {chat.messages.length === 0 && prompts.length > 0 && (
          <div className="atlas-empty">
            <p>Ask a question about your data, or start with one of these:</p>
            {/* biome-ignore lint/a11y/useSemanticElements: a group of buttons, not form fields */}
            <div className="atlas-chips" role="group" aria-label="Starter prompts">
              {prompts.map((p) => (
                <button key={p} type="button" className="atlas-chip" onClick={() => ask(p)}>
                  {p}
                </button>
              ))}
            </div>
          </div>
        )}
        {chat.messages.map((m) => (
          <Message
            key={m.id}
            message={m}
            toolRenderers={toolRenderers}
            onAsk={ask}
            latest={m === last}
            streaming={busy && m === last && m.role === "assistant"}
          />
        ))}
        {chat.status === "submitted" && (
          <p className="atlas-status" role="status">
            Thinking…
          </p>
        )}
        <div ref={end} />
      </div>
      {chat.error && <ErrorBanner error={chat.error} onRetry={() => void chat.retry()} />}
      <Composer ref={input} busy={busy} onSubmit={ask} onStop={() => void chat.stop()} />
    </div>
  );
});

function newChatId(): string {
  return (
    globalThis.crypto?.randomUUID?.().replace(/-/g, "") ??
    `${Date.now()}${Math.random()}`.replace(".", "")
  );
}

export const AtlasChat = forwardRef<AtlasChatHandle, AtlasChatProps>(
  function AtlasChat(props, ref) {
    const { resolvedTheme, hasCredential } = useAtlasContext();
    const auth = useAtlasAuth();
    const signedIn = auth.status === "signed-in";
    const withSidebar = props.sidebar ?? (!hasCredential && auth.mode === "managed");
    const conversations = useConversations({ enabled: signedIn && withSidebar });
    const [thread, setThread] = useState<{ id: string; messages?: UIMessage[]; resume: boolean }>(
      () => ({ id: newChatId(), resume: false }),
    );
    const open = async (id: string) =>
      setThread({ id, messages: await conversations.open(id), resume: true });

    return (
      <div
        className={`atlas-root ${props.className ?? ""}`}
        data-theme={resolvedTheme}
        style={props.style}
      >
        {(props.title || props.logo) && (
          <header className="atlas-header">
            {props.logo && <img src={props.logo} alt="" className="atlas-logo" />}
            {props.title && <h1>{props.title}</h1>}
            {signedIn && auth.user && (
              <button
                type="button"
                className="atlas-btn atlas-btn-ghost"
                onClick={() => void auth.signOut()}
              >
                Sign out
              </button>
            )}
          </header>
        )}
        {auth.status === "loading" && (
          <p className="atlas-status" role="status">
            Loading…
          </p>
        )}
        {auth.status === "signed-out" &&
          (auth.mode === "simple-key" || auth.mode === "byot" ? (
            <KeyCard auth={auth} />
          ) : (
            <SignInCard auth={auth} />
          ))}
        {signedIn && (
          <div className="atlas-body">
            {withSidebar && (
              <ConversationSidebar
                conversations={conversations}
                activeId={thread.id}
                onOpen={(id) => void open(id)}
                onNew={() => setThread({ id: newChatId(), resume: false })}
              />
            )}
            <Thread
              key={thread.id}
              ref={ref}
              {...props}
              chatId={thread.id}
              initialMessages={thread.messages}
              resume={thread.resume}
              conversations={withSidebar ? conversations : undefined}
            />
          </div>
        )}
        {props.showBranding !== false && <p className="atlas-branding">Powered by Atlas</p>}
      </div>
    );
  },
);
