/** Managed sign-in (email + password, through the React package's `useAtlasAuth`). The gateway
 * sets the session cookie the console's requests carry; with auth mode none there is no form. */

import type { UseAtlasAuthReturn } from "@useatlas/react";
import type { FormEvent } from "react";
import { useEffect, useRef, useState } from "react";

import { errorText } from "./ui";

export function SignIn({ auth }: { auth: UseAtlasAuthReturn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await auth.signIn(email, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="console-sign-in" id="main">
      <h1 ref={heading} tabIndex={-1}>
        Sign in to the Atlas admin console
      </h1>
      <form onSubmit={submit} aria-describedby="sign-in-error">
        <label htmlFor="sign-in-email">Email</label>
        <input
          id="sign-in-email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="sign-in-password">Password</label>
        <input
          id="sign-in-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p id="sign-in-error" className="console-error" role="alert">
          {error ? errorText(error) : ""}
        </p>
      </form>
    </main>
  );
}
