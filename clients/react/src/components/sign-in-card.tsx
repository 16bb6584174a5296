/** Managed sign-in, shown before the chat when the provider has no key or token. */

import type { FormEvent } from "react";
import { useState } from "react";

import type { UseAtlasAuthReturn } from "../hooks/use-atlas-auth";
import { parseChatError } from "../lib/errors";

export function SignInCard({ auth }: { auth: UseAtlasAuthReturn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await auth.signIn(email, password);
      setError(undefined);
    } catch (caught) {
      setError(parseChatError(caught).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="atlas-signin" onSubmit={submit} aria-labelledby="atlas-signin-title">
      <h2 id="atlas-signin-title">Sign in</h2>
      <p className="atlas-note">
        Sign in with your Atlas account to ask questions about your data.
      </p>
      <label htmlFor="atlas-email">Email</label>
      <input
        id="atlas-email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor="atlas-password">Password</label>
      <input
        id="atlas-password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && (
        <p className="atlas-card-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="atlas-btn atlas-btn-primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
