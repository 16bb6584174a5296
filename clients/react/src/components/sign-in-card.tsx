/** Managed sign-in (or sign-up), shown before the chat when the provider has no key or token. */

import type { FormEvent } from "react";
import { useState } from "react";

import type { UseAtlasAuthReturn } from "../hooks/use-atlas-auth";
import { parseChatError } from "../lib/errors";

function Field(props: {
  id: string;
  label: string;
  type: string;
  autoComplete: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type}
        autoComplete={props.autoComplete}
        required
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </>
  );
}

export function SignInCard({ auth }: { auth: UseAtlasAuthReturn }) {
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const title = creating ? "Create an account" : "Sign in";
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      if (creating) await auth.signUp(email, password, name);
      else await auth.signIn(email, password);
      setError(undefined);
    } catch (caught) {
      setError(parseChatError(caught).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="atlas-signin" onSubmit={submit} aria-labelledby="atlas-signin-title">
      <h2 id="atlas-signin-title">{title}</h2>
      <p className="atlas-note">
        {creating ? "Create" : "Sign in with"} your Atlas account to ask questions about your data.
      </p>
      {creating && (
        <Field
          id="atlas-name"
          label="Name"
          type="text"
          autoComplete="name"
          value={name}
          onChange={setName}
        />
      )}
      <Field
        id="atlas-email"
        label="Email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={setEmail}
      />
      <Field
        id="atlas-password"
        label="Password"
        type="password"
        autoComplete={creating ? "new-password" : "current-password"}
        value={password}
        onChange={setPassword}
      />
      {error && (
        <p className="atlas-card-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="atlas-btn atlas-btn-primary" disabled={busy}>
        {title}
      </button>
      <button
        type="button"
        className="atlas-btn atlas-btn-ghost"
        onClick={() => {
          setCreating((v) => !v);
          setError(undefined);
        }}
      >
        {creating ? "I have an account" : "No account yet? Create one"}
      </button>
    </form>
  );
}
