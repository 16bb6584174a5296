import { useState } from "react";

/** Copies `text`; says "Copied" for a moment (announced politely to screen readers). */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" className="atlas-btn atlas-btn-ghost" onClick={copy} aria-live="polite">
      {copied ? "Copied" : label}
    </button>
  );
}
