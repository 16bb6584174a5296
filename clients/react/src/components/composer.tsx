/** The question box: Enter sends, Shift+Enter breaks the line; Stop while an answer streams. */

import type { FormEvent, KeyboardEvent } from "react";
import { forwardRef, useState } from "react";

export interface ComposerProps {
  busy: boolean;
  disabled?: boolean;
  onSubmit: (text: string) => void;
  onStop: () => void;
}

export const Composer = forwardRef<HTMLTextAreaElement, ComposerProps>(function Composer(
  { busy, disabled, onSubmit, onStop },
  ref,
) {
  const [text, setText] = useState("");
  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const question = text.trim();
    if (!question || busy || disabled) return;
    onSubmit(question);
    setText("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) send(event);
  };
  return (
    <form className="atlas-composer" onSubmit={send}>
      <label className="atlas-sr-only" htmlFor="atlas-question">
        Ask a question about your data
      </label>
      <textarea
        id="atlas-question"
        ref={ref}
        rows={1}
        value={text}
        disabled={disabled}
        placeholder="Ask a question about your data…"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {busy ? (
        <button type="button" className="atlas-btn" onClick={onStop}>
          Stop
        </button>
      ) : (
        <button
          type="submit"
          className="atlas-btn atlas-btn-primary"
          disabled={disabled || !text.trim()}
        >
          Send
        </button>
      )}
    </form>
  );
});
