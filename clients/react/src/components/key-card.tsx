/** For gateways that take keys or tokens but no managed sign-in (simple-key, byot): paste one. */

import type { FormEvent } from "react";
import { useState } from "react";

import type { UseAtlasAuthReturn } from "../hooks/use-atlas-auth";
import { parseChatError } from "../lib/errors";

export function KeyCard({ auth }: { auth: UseAtlasAuthReturn }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await auth.signInWithKey(key.trim());
    } catch (caught) {
      setError(parseChatError(caught).message);
    }
  };
  return (
    <form className="atlas-signin" onSubmit={submit} aria-labelledby="atlas-key-title">
      <h2 id="atlas-key-title">Your API key</h2>
      <p className="atlas-note">
        This Atlas accepts API keys or tokens ({auth.mode}). It stays in this tab only.
      </p>
      <label htmlFor="atlas-key">API key or token</label>
      <input
        id="atlas-key"
        type="password"
        autoComplete="off"
        required
        value={key}
        onChange={(e) => setKey(e.target.value)}
      />
      {error && (
        <p className="atlas-card-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="atlas-btn atlas-btn-primary">
        Continue
      </button>
    </form>
  );
}
