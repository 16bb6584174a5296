/** The users page's dialogs that act on a user: change a role, deactivate (after a
 * confirmation); with the pieces the invite dialogs share. An API error stays in the dialog, in
 * an alert, so nothing typed is lost. */

import type { FormEvent } from "react";
import { useState } from "react";

import { apiFetch } from "../api";
import { Dialog } from "./api-keys-dialog";
import { actionError, capitalised } from "./api-keys-logic";
import type { UserOut, UserRole } from "./users-logic";
import { USER_ROLES } from "./users-logic";

function usersPath(user: UserOut, action: string): string {
  return `/api/admin/users/${encodeURIComponent(user.id)}/${action}`;
}

/** Runs `call`; its error becomes the dialog's alert text. */
export function useCall(): [string, boolean, (call: () => Promise<void>) => Promise<void>] {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await call();
    } catch (err) {
      setError(actionError(err));
      setBusy(false);
    }
  };
  return [error, busy, run];
}

export function RoleSelect(props: { id: string; value: string; onChange: (v: string) => void }) {
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      {USER_ROLES.map((r) => (
        <option key={r} value={r}>
          {capitalised(r)}
        </option>
      ))}
    </select>
  );
}

interface ActionProps {
  user: UserOut;
  onClose: () => void;
}

export function RoleDialog({
  user,
  onClose,
  onDone,
}: ActionProps & { onDone: (r: string) => void }) {
  const [role, setRole] = useState<string>(user.role);
  const [error, busy, run] = useCall();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = JSON.stringify({ role: role as UserRole });
    void run(async () => {
      await apiFetch(usersPath(user, "role"), { method: "PATCH", body });
      onDone(role);
    });
  };
  return (
    <Dialog title="Change role" describedBy="role-text" onClose={onClose} initialFocus="#new-role">
      <form className="console-form" onSubmit={submit}>
        <p id="role-text">
          {user.email} is {capitalised(user.role)}. A new role applies to their next request.
        </p>
        <label htmlFor="new-role">New role</label>
        <RoleSelect id="new-role" value={role} onChange={setRole} />
        <p className="console-error" role="alert">
          {error}
        </p>
        <div className="console-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || role === user.role}>
            Change role
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface DeactivateProps extends ActionProps {
  onDone: () => void;
}

export function DeactivateDialog({ user, onClose, onDone }: DeactivateProps) {
  const [error, busy, run] = useCall();
  const deactivate = () =>
    run(async () => {
      await apiFetch(usersPath(user, "deactivate"), { method: "POST" });
      onDone();
    });
  return (
    <Dialog
      title="Deactivate user?"
      describedBy="deactivate-text"
      onClose={onClose}
      initialFocus="#deactivate-cancel"
    >
      <p id="deactivate-text">
        <strong>{user.email}</strong> can no longer sign in, and their sessions end now. Their API
        keys they created stop working too.
      </p>
      <p className="console-error" role="alert">
        {error}
      </p>
      <div className="console-actions">
        <button type="button" id="deactivate-cancel" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void deactivate()}>
          Deactivate
        </button>
      </div>
    </Dialog>
  );
}
