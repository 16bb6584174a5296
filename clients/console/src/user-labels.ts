/** Who a user id is, for tables that hold ids only (the audit log records ids; emails live
 * with the auth service). Managed mode lists the workspace's users; in the other modes there is
 * no user list and the ids stay as they are. */

import { useEffect, useState } from "react";

import { apiFetch } from "./api";

interface ListedUser {
  id: string;
  email: string;
}

export type UserLabels = ReadonlyMap<string, string>;

export function useUserLabels(): UserLabels {
  const [labels, setLabels] = useState<UserLabels>(() => new Map());
  useEffect(() => {
    let live = true;
    apiFetch<{ users: ListedUser[] }>("/api/admin/users?limit=200")
      .then((body) => {
        if (live) setLabels(labelsOf(body.users));
      })
      // No user list in this auth mode (or not allowed): the ids are shown instead.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return labels;
}

export function labelsOf(users: readonly ListedUser[]): UserLabels {
  return new Map(users.map((user) => [user.id, user.email]));
}

/** The label a row carries, else the listed user's email, else null (the caller shows the id). */
export function userLabelOf(
  labels: UserLabels,
  entry: { userId: string | null; userLabel: string | null },
): string | null {
  return entry.userLabel ?? (entry.userId ? (labels.get(entry.userId) ?? null) : null);
}
