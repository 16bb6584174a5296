/** The API keys page's three dialogs: create (name, expiry, role), the new key shown once with
 * a copy button, and the revoke confirmation. Each one's API error stays inside it, in an
 * alert, so the person can fix it without losing what they typed. */

import type { FormEvent, ReactNode } from "react";
import { useState } from "react";

import { apiFetch } from "../api";
import { Dialog } from "./api-keys-dialog";
import type { ApiKey, CreatedKey } from "./api-keys-logic";
import {
  actionError,
  createKeyBody,
  EXPIRY_OPTIONS,
  KEY_NAME_MAX,
  ROLE_OPTIONS,
} from "./api-keys-logic";

interface CreateProps {
  onClose: () => void;
  onCreated: (key: CreatedKey) => void;
}

export function CreateKeyDialog({ onClose, onCreated }: CreateProps) {
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("");
  const [role, setRole] = useState("analyst");
  const [error, setError] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = createKeyBody(name, role, expiry);
    setInvalid("error" in checked);
    if ("error" in checked) return setError(checked.error);
    setBusy(true);
    try {
      const body = JSON.stringify(checked.body);
      onCreated(await apiFetch<CreatedKey>("/api/auth/api-key/create", { method: "POST", body }));
    } catch (err) {
      setError(actionError(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create API key" onClose={onClose} initialFocus="#key-name">
      <form className="console-form" onSubmit={submit} noValidate>
        <label htmlFor="key-name">Name</label>
        <input
          id="key-name"
          value={name}
          maxLength={KEY_NAME_MAX}
          autoComplete="off"
          required
          aria-invalid={invalid || undefined}
          aria-describedby="key-name-hint"
          onChange={(e) => setName(e.target.value)}
        />
        <p className="console-hint" id="key-name-hint">
          What will use it, e.g. “Reporting SDK”. Up to {KEY_NAME_MAX} characters.
        </p>
        <label htmlFor="key-expiry">Expires</label>
        <select id="key-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <label htmlFor="key-role">Role</label>
        <select
          id="key-role"
          value={role}
          aria-describedby="key-role-hint"
          onChange={(e) => setRole(e.target.value)}
        >
          {ROLE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <p className="console-hint" id="key-role-hint">
          Viewer asks questions; analyst also validates SQL; admin also manages users and keys.
        </p>
        <p className="console-error" role="alert">
          {error}
        </p>
        <div className="console-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create key
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Copies `text` and says so in a live region (the key stays selectable if copying fails). */
function useCopy(text: string): [string, () => Promise<void>] {
  const [said, setSaid] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid("Copied to the clipboard.");
    } catch {
      setSaid("Copy did not work here: select the text and copy it yourself.");
    }
  };
  return [said, copy];
}

/** A secret shown once (a new key, an initial password): read-only, selected on focus, a Copy
 * button, and what the copy did announced politely. */
export function ShownOnce({ id, label, value }: { id: string; label: ReactNode; value: string }) {
  const [said, copy] = useCopy(value);
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div className="console-copy-row">
        <input
          id={id}
          readOnly
          spellCheck={false}
          autoComplete="off"
          value={value}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="console-hint" role="status" aria-live="polite">
        {said}
      </p>
    </>
  );
}

export function CreatedKeyDialog({
  created,
  onClose,
}: {
  created: CreatedKey;
  onClose: () => void;
}) {
  return (
    <Dialog
      title="Your new API key"
      describedBy="created-warning"
      onClose={onClose}
      initialFocus="#created-key"
    >
      <p className="console-warning" id="created-warning">
        <strong>Copy this key now.</strong> It will not be shown again: Atlas keeps only a hash of
        it.
      </p>
      <ShownOnce id="created-key" label={`Key “${created.name}”`} value={created.key} />
      <p className="console-hint">
        Send it as <code>Authorization: Bearer &lt;key&gt;</code> or{" "}
        <code>X-API-Key: &lt;key&gt;</code>.
      </p>
      <div className="console-actions">
        <button type="button" className="primary" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}

interface RevokeProps {
  apiKey: ApiKey;
  onClose: () => void;
  onRevoked: (key: ApiKey) => void;
}

export function RevokeKeyDialog({ apiKey, onClose, onRevoked }: RevokeProps) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      const body = JSON.stringify({ keyId: apiKey.id });
      await apiFetch("/api/auth/api-key/delete", { method: "POST", body });
      onRevoked(apiKey);
    } catch (err) {
      setError(actionError(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Revoke API key?"
      describedBy="revoke-text"
      onClose={onClose}
      initialFocus="#revoke-cancel"
    >
      <p id="revoke-text">
        Programs using <strong>{apiKey.name}</strong> stop working at once. This cannot be undone.
      </p>
      <p className="console-error" role="alert">
        {error}
      </p>
      <div className="console-actions">
        <button type="button" id="revoke-cancel" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
          Revoke key
        </button>
      </div>
    </Dialog>
  );
}
