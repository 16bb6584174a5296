/** The users page's pure parts: the wire shapes of /api/admin/users*, the invite form's checks
 * and the initial password made in the browser (the auth API creates a user with a password:
 * there is no invitation email, so the admin hands the password over once). */

import type { KeyRole } from "./api-keys-logic";

export type UserRole = KeyRole;

export interface UserOut {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  workspaceId: string;
  active: boolean;
  createdAt: string;
}

export interface UserList {
  users: UserOut[];
  total: number;
}

export interface InviteBody {
  email: string;
  name: string;
  role: UserRole;
  password: string;
}

export const USER_ROLES: readonly UserRole[] = ["viewer", "analyst", "admin"];
/** No 0/O, 1/l/I: the password is read off a screen and typed or pasted elsewhere. */
const ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PASSWORD_LENGTH = 20;
const EMAIL = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$/;

/** `PASSWORD_LENGTH` characters, uniform over the alphabet (bytes above the last whole
 * multiple of its size are drawn again, so no character is likelier than another). */
export function initialPassword(
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  const ceiling = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < PASSWORD_LENGTH) {
    for (const byte of random(PASSWORD_LENGTH)) {
      if (byte < ceiling && out.length < PASSWORD_LENGTH) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

export type InviteErrors = Partial<Record<"email" | "name" | "role", string>>;

export function inviteErrors(email: string, name: string, role: string): InviteErrors {
  const errors: InviteErrors = {};
  if (!EMAIL.test(email.trim())) errors.email = "Enter an email address like ada@example.com.";
  const trimmed = name.trim();
  if (!trimmed) errors.name = "Enter the person's name.";
  else if (trimmed.length > 100) errors.name = "Up to 100 characters.";
  if (!USER_ROLES.includes(role as UserRole)) errors.role = "Choose a role.";
  return errors;
}

export function statusLabel(user: Pick<UserOut, "active">): "Active" | "Deactivated" {
  return user.active ? "Active" : "Deactivated";
}

/** Active users first, then by email: the people an admin acts on are on top. */
export function sortedUsers(users: readonly UserOut[]): UserOut[] {
  return [...users].sort(
    (a, b) => Number(b.active) - Number(a.active) || a.email.localeCompare(b.email),
  );
}
