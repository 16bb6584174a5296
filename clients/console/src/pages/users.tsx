/** Users: the workspace's people (email, name, role, status, created), invite one (a user made
 * with an initial password shown once: the auth API sends no email), change a role or
 * deactivate someone after a confirmation. API errors are announced in an alert region. */

import { useRef, useState } from "react";

import { ApiError } from "../api";
import { DataTable, ManagedListHead, PageHeading, Status, useApi } from "../ui";
import { useFocusOnNext } from "./api-keys-dialog";
import { capitalised, shortDate } from "./api-keys-logic";
import "./api-keys-pages.css";
import { DeactivateDialog, RoleDialog } from "./users-dialogs";
import { InviteDialog, InvitedDialog } from "./users-invite";
import type { UserList, UserOut } from "./users-logic";
import { sortedUsers, statusLabel } from "./users-logic";

const LIST = "/api/admin/users?limit=200";

type Action = { kind: "role" | "deactivate"; user: UserOut } | null;

export function UsersPage() {
  const users = useApi<UserList>(LIST);
  // The API refuses an admin's own role change and deactivation: their row offers neither.
  const me = useApi<{ userId?: string }>("/api/v1/me");
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<{ user: UserOut; password: string } | null>(null);
  const [action, setAction] = useState<Action>(null);
  const [notice, setNotice] = useState("");
  const inviteButton = useRef<HTMLButtonElement>(null);
  const focusInviteOnReload = useFocusOnNext(users.data, inviteButton);

  if (users.error instanceof ApiError && users.error.status === 403) return <AdminsOnly />;
  const done = (text: string) => {
    setAction(null);
    setNotice(text);
    users.reload();
  };
  const onInvited = (user: UserOut, password: string) => {
    setInviting(false);
    setInvited({ user, password });
    setNotice(`${user.email} was added.`);
    users.reload();
  };
  return (
    <section aria-labelledby="page-heading">
      <ManagedListHead
        title="Users"
        lede={
          <>
            The people of this workspace. Viewers ask questions, analysts also validate SQL, admins
            also manage users, keys and this console. A deactivated user cannot sign in.
          </>
        }
        action="Invite user"
        actionRef={inviteButton}
        onAction={() => setInviting(true)}
        notice={notice}
      />
      <Status loading={users.loading && !users.data} error={users.error} />
      {users.data && <UsersTable list={users.data} self={me.data?.userId} onAction={setAction} />}
      {inviting && <InviteDialog onClose={() => setInviting(false)} onInvited={onInvited} />}
      {invited && <InvitedDialog {...invited} onClose={() => setInvited(null)} />}
      {action?.kind === "role" && (
        <RoleDialog
          user={action.user}
          onClose={() => setAction(null)}
          onDone={(role) => done(`${action.user.email} is now ${role}.`)}
        />
      )}
      {action?.kind === "deactivate" && (
        <DeactivateDialog
          user={action.user}
          onClose={() => setAction(null)}
          onDone={() => {
            focusInviteOnReload();
            done(`${action.user.email} was deactivated.`);
          }}
        />
      )}
    </section>
  );
}

function AdminsOnly() {
  return (
    <section aria-labelledby="page-heading">
      <PageHeading>Admins only</PageHeading>
      <p>Managing users needs the admin role. Ask an admin of your workspace.</p>
    </section>
  );
}

interface TableProps {
  list: UserList;
  self: string | undefined;
  onAction: (a: Action) => void;
}

function UsersTable({ list, self, onAction }: TableProps) {
  return (
    <div className="console-table-wrap">
      <DataTable
        caption="Users of this workspace"
        className="console-table console-dates"
        columns={["Email", "Name", "Role", "Status", "Created"]}
        actions
        rows={sortedUsers(list.users)}
        renderRow={(user) => (
          <UserRow key={user.id} user={user} isSelf={user.id === self} onAction={onAction} />
        )}
      />
      {list.total > list.users.length && (
        <p className="console-muted">
          Showing {list.users.length} of {list.total} users.
        </p>
      )}
    </div>
  );
}

interface RowProps {
  user: UserOut;
  isSelf: boolean;
  onAction: (a: Action) => void;
}

function UserRow({ user, isSelf, onAction }: RowProps) {
  const status = statusLabel(user);
  return (
    <tr>
      <td>
        <span className="console-strong">{user.email}</span>
        {isSelf && <span className="console-muted"> (you)</span>}
      </td>
      <td>{user.name}</td>
      <td>{capitalised(user.role)}</td>
      <td>
        <span className={`console-badge ${status.toLowerCase()}`}>{status}</span>
      </td>
      <td>
        <time dateTime={user.createdAt}>{shortDate(user.createdAt)}</time>
      </td>
      <td className="console-row-actions">
        {user.active && !isSelf && (
          <>
            <button
              type="button"
              className="small"
              aria-label={`Change role of ${user.email}`}
              onClick={() => onAction({ kind: "role", user })}
            >
              Change role
            </button>{" "}
            <button
              type="button"
              className="small"
              aria-label={`Deactivate ${user.email}`}
              onClick={() => onAction({ kind: "deactivate", user })}
            >
              Deactivate
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
