/** API keys: the workspace's keys (masked), create one (shown once, with a copy button),
 * revoke one after a confirmation. Admins only: anyone else is told so, with no controls. */

import { useRef, useState } from "react";

import { ApiError } from "../api";
import { DataTable, ManagedListHead, PageHeading, Status, useApi } from "../ui";
import { useFocusOnNext } from "./api-keys-dialog";
import { CreatedKeyDialog, CreateKeyDialog, RevokeKeyDialog } from "./api-keys-dialogs";
import type { ApiKey, CreatedKey, KeyList } from "./api-keys-logic";
import { capitalised, maskedKey, shortDate } from "./api-keys-logic";
import "./api-keys-pages.css";

const LIST = "/api/auth/api-key/list?limit=500";

export function ApiKeysPage() {
  const keys = useApi<KeyList>(LIST);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [notice, setNotice] = useState("");
  const createButton = useRef<HTMLButtonElement>(null);
  const focusCreateOnReload = useFocusOnNext(keys.data, createButton);

  if (keys.error instanceof ApiError && keys.error.status === 403) return <AdminsOnly />;
  const onCreated = (key: CreatedKey) => {
    setCreating(false);
    setCreated(key);
    keys.reload();
  };
  const onRevoked = (key: ApiKey) => {
    setRevoking(null);
    setNotice(`Key “${key.name}” revoked.`);
    focusCreateOnReload();
    keys.reload();
  };
  return (
    <section aria-labelledby="page-heading">
      <ManagedListHead
        title="API keys"
        lede={
          <>
            Keys give SDKs, the MCP server and the widget access to this workspace without an
            interactive sign-in. A key acts with its own role, never above its creator's, and stops
            working the moment it is revoked.
          </>
        }
        action="Create key"
        actionRef={createButton}
        onAction={() => setCreating(true)}
        notice={notice}
      />
      <Status loading={keys.loading && !keys.data} error={keys.error} />
      {keys.data && <KeysTable list={keys.data} onRevoke={setRevoking} />}
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} onCreated={onCreated} />}
      {created && <CreatedKeyDialog created={created} onClose={() => setCreated(null)} />}
      {revoking && (
        <RevokeKeyDialog
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={onRevoked}
        />
      )}
    </section>
  );
}

function AdminsOnly() {
  return (
    <section aria-labelledby="page-heading">
      <PageHeading>Admins only</PageHeading>
      <p>
        Managing API keys needs the admin role. Ask an admin of your workspace, or sign in with
        another account.
      </p>
    </section>
  );
}

function When({ iso, never }: { iso: string | null; never: string }) {
  if (!iso) return <span className="console-muted">{never}</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toISOString()}>
      {shortDate(iso)}
    </time>
  );
}

function KeysTable({ list, onRevoke }: { list: KeyList; onRevoke: (key: ApiKey) => void }) {
  if (list.apiKeys.length === 0) {
    return <p className="console-muted">No API keys yet. Create one to give a program access.</p>;
  }
  return (
    <div className="console-table-wrap">
      <DataTable
        caption="API keys of this workspace"
        className="console-table console-dates"
        columns={["Name", "Key", "Role", "Status", "Created", "Expires", "Last used"]}
        actions
        rows={list.apiKeys}
        renderRow={(key) => <KeyRow key={key.id} apiKey={key} onRevoke={onRevoke} />}
      />
      {list.total > list.apiKeys.length && (
        <p className="console-muted">
          Showing {list.apiKeys.length} of {list.total} keys.
        </p>
      )}
    </div>
  );
}

function KeyRow({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke: (key: ApiKey) => void }) {
  const masked = maskedKey(apiKey);
  return (
    <tr>
      <td className="console-strong">{apiKey.name}</td>
      <td>
        <code>{masked}</code>
      </td>
      <td>{capitalised(apiKey.role)}</td>
      <td>
        <span className={`console-badge ${apiKey.status}`}>{capitalised(apiKey.status)}</span>
      </td>
      <td>
        <When iso={apiKey.createdAt} never="—" />
      </td>
      <td>
        <When iso={apiKey.expiresAt} never="Never" />
      </td>
      <td>
        <When iso={apiKey.lastRequest} never="Never" />
      </td>
      <td>
        {apiKey.status !== "revoked" && (
          <button
            type="button"
            className="small"
            aria-label={`Revoke key ${apiKey.name}`}
            onClick={() => onRevoke(apiKey)}
          >
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}
