/** The user's conversations: open one, star it, share it, delete it (after a confirmation). */

import { useState } from "react";

import type { UseConversationsReturn } from "../hooks/use-conversations";

export interface ConversationSidebarProps {
  conversations: UseConversationsReturn;
  activeId?: string;
  onOpen: (id: string) => void;
  onNew: () => void;
}

export function ConversationSidebar({
  conversations,
  activeId,
  onOpen,
  onNew,
}: ConversationSidebarProps) {
  const [confirming, setConfirming] = useState<string>();
  const [shared, setShared] = useState<string>();
  const share = async (id: string) => {
    const link = await conversations.share(id).catch(() => undefined);
    if (link?.url) {
      await navigator.clipboard?.writeText(link.url).catch(() => undefined);
      setShared(link.url);
    }
  };
  const sorted = [...conversations.conversations].sort(
    (a, b) => Number(b.starred) - Number(a.starred),
  );
  return (
    <nav className="atlas-sidebar" aria-label="Conversations">
      <button type="button" className="atlas-btn atlas-btn-outline atlas-new" onClick={onNew}>
        New chat
      </button>
      {shared && (
        <p className="atlas-note" role="status">
          Link copied: {shared}
        </p>
      )}
      <ul>
        {sorted.map((c) => (
          <li key={c.id} className={c.id === activeId ? "atlas-active" : undefined}>
            <button
              type="button"
              className="atlas-conv-title"
              onClick={() => onOpen(c.id)}
              aria-current={c.id === activeId ? "true" : undefined}
            >
              {c.title || "Untitled"}
            </button>
            {confirming === c.id ? (
              <span className="atlas-conv-actions">
                <button
                  type="button"
                  className="atlas-btn atlas-btn-danger"
                  onClick={() =>
                    void conversations.remove(c.id).then(() => setConfirming(undefined))
                  }
                >
                  Delete
                </button>
                <button
                  type="button"
                  className="atlas-btn atlas-btn-ghost"
                  onClick={() => setConfirming(undefined)}
                >
                  Keep
                </button>
              </span>
            ) : (
              <span className="atlas-conv-actions">
                <button
                  type="button"
                  className="atlas-icon-btn"
                  aria-pressed={c.starred}
                  aria-label={`${c.starred ? "Unstar" : "Star"} ${c.title || "conversation"}`}
                  onClick={() => void conversations.star(c.id, !c.starred)}
                >
                  {c.starred ? "★" : "☆"}
                </button>
                <button
                  type="button"
                  className="atlas-icon-btn"
                  aria-label={`Share ${c.title || "conversation"}`}
                  onClick={() => void share(c.id)}
                >
                  ⤴
                </button>
                <button
                  type="button"
                  className="atlas-icon-btn"
                  aria-label={`Delete ${c.title || "conversation"}`}
                  onClick={() => setConfirming(c.id)}
                >
                  ✕
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {conversations.conversations.length === 0 && !conversations.loading && (
        <p className="atlas-note">No conversations yet.</p>
      )}
    </nav>
  );
}
