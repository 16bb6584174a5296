/** A modal dialog on the native `<dialog>`: `showModal` makes the page behind it inert and
 * Escape cancels it; Tab and Shift+Tab wrap inside it; focus goes back where it came from when
 * it closes (`useFocusOnNext` when an action removed that button). The users page uses it too. */

import type { KeyboardEvent, ReactNode, RefObject, SyntheticEvent } from "react";
import { useCallback, useEffect, useId, useRef } from "react";
import "./api-keys-pages.css";

const FOCUSABLE =
  "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), " +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  /** Id of the text that says what the dialog is about (read out with its name). */
  describedBy?: string;
  onClose: () => void;
  /** A selector inside the dialog to focus first (default: its first control). */
  initialFocus?: string;
  children: ReactNode;
}

function focusables(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
}

function wrapTab(event: KeyboardEvent<HTMLDialogElement>): void {
  if (event.key !== "Tab") return;
  const all = focusables(event.currentTarget);
  if (all.length === 0) return;
  const [first, last] = [all[0], all[all.length - 1]];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last?.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first?.focus();
  }
}

export function Dialog(props: DialogProps) {
  const { title, describedBy, onClose, initialFocus, children } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // biome-ignore lint/correctness/useExhaustiveDependencies: opened once, when mounted
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = initialFocus ? dialog.querySelector<HTMLElement>(initialFocus) : null;
    (first ?? focusables(dialog)[0])?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // A dialog that opened in this one's place (the new key after "Create") keeps the focus.
      setTimeout(() => {
        if (!document.querySelector("dialog[open]") && opener?.isConnected) opener.focus();
      }, 0);
    };
  }, []);
  const cancel = (event: SyntheticEvent) => {
    event.preventDefault(); // Escape: React decides when the dialog goes
    onClose();
  };
  return (
    <dialog
      ref={ref}
      className="console-dialog"
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onCancel={cancel}
      onKeyDown={wrapTab}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** Focuses `target` when the next `data` arrives: after an action that removes the button that
 * had the focus (a revoked key's, a deactivated user's), so focus does not fall to the page. */
export function useFocusOnNext(data: unknown, target: RefObject<HTMLElement | null>): () => void {
  const armed = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: data is the signal, not an input
  useEffect(() => {
    if (!armed.current) return;
    armed.current = false;
    target.current?.focus();
  }, [data, target]);
  return useCallback(() => {
    armed.current = true;
  }, []);
}
