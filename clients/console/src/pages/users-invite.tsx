/** The users page's invite dialogs: email, name and role, then the initial password (made here:
 * the auth API creates a user with a password and sends no email) shown once after the user
 * exists, with a Copy button. */

import type { FormEvent, ReactNode } from "react";
import { useState } from "react";

import { apiFetch } from "../api";
import { Dialog } from "./api-keys-dialog";
import { ShownOnce } from "./api-keys-dialogs";
import { RoleSelect, useCall } from "./users-dialogs";
import type { InviteErrors, UserOut } from "./users-logic";
import { initialPassword, inviteErrors } from "./users-logic";

function Field(props: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.error && (
        <p className="console-field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </>
  );
}

interface InviteProps {
  onClose: () => void;
  onInvited: (user: UserOut, password: string) => void;
}

export function InviteDialog({ onClose, onInvited }: InviteProps) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<string>("analyst");
  const [fields, setFields] = useState<InviteErrors>({});
  const [error, busy, run] = useCall();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = inviteErrors(email, name, role);
    setFields(found);
    if (Object.keys(found).length > 0) return;
    const password = initialPassword();
    const body = JSON.stringify({ email: email.trim(), name: name.trim(), role, password });
    void run(async () => {
      const answer = await apiFetch<{ user: UserOut }>("/api/admin/users", {
        method: "POST",
        body,
      });
      onInvited(answer.user, password);
    });
  };
  const invalid = (key: keyof InviteErrors) =>
    fields[key] ? { "aria-invalid": true, "aria-describedby": `invite-${key}-error` } : {};
  return (
    <Dialog title="Invite user" onClose={onClose} initialFocus="#invite-email">
      <form className="console-form" onSubmit={submit} noValidate>
        <Field id="invite-email" label="Email" error={fields.email}>
          <input
            id="invite-email"
            type="email"
            autoComplete="off"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            {...invalid("email")}
          />
        </Field>
        <Field id="invite-name" label="Name" error={fields.name}>
          <input
            id="invite-name"
            autoComplete="off"
            maxLength={100}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            {...invalid("name")}
          />
        </Field>
        <Field id="invite-role" label="Role" error={fields.role}>
          <RoleSelect id="invite-role" value={role} onChange={setRole} />
        </Field>
        <p className="console-hint">
          Atlas makes an initial password and shows it once: hand it to the person, who can change
          it after signing in.
        </p>
        <p className="console-error" role="alert">
          {error}
        </p>
        <div className="console-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Invite
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface InvitedProps {
  user: UserOut;
  password: string;
  onClose: () => void;
}

export function InvitedDialog({ user, password, onClose }: InvitedProps) {
  return (
    <Dialog
      title="User invited"
      describedBy="invited-warning"
      onClose={onClose}
      initialFocus="#invited-password"
    >
      <p className="console-warning" id="invited-warning">
        <strong>Copy the initial password now.</strong> It will not be shown again: give it to{" "}
        {user.email} to sign in with.
      </p>
      <ShownOnce
        id="invited-password"
        label={`Initial password of ${user.email}`}
        value={password}
      />
      <div className="console-actions">
        <button type="button" className="primary" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}
