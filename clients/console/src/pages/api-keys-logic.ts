/** The API keys page's pure parts: the wire shapes of /api/auth/api-key/*, the choices of the
 * create form, and how a key is shown (masked: the prefix and first characters only). */

import { ApiError } from "../api";

export type KeyRole = "viewer" | "analyst" | "admin";
export type KeyStatus = "active" | "expired" | "revoked";

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  start: string;
  role: KeyRole;
  status: KeyStatus;
  createdAt: string;
  expiresAt: string | null;
  lastRequest: string | null;
}

/** The create answer: the whole key, shown this once and never again. */
export interface CreatedKey extends ApiKey {
  key: string;
}

export interface KeyList {
  apiKeys: ApiKey[];
  total: number;
}

export interface CreateKeyBody {
  name: string;
  role: KeyRole;
  expiresIn?: number;
}

const DAY = 86_400;

/** Seconds from now; "" is never (the keys service takes 3600 s to one year). */
export const EXPIRY_OPTIONS: readonly { value: string; label: string }[] = [
  { value: "", label: "Never" },
  { value: String(DAY), label: "In 1 day" },
  { value: String(7 * DAY), label: "In 7 days" },
  { value: String(30 * DAY), label: "In 30 days" },
  { value: String(90 * DAY), label: "In 90 days" },
  { value: String(365 * DAY), label: "In 1 year" },
];

export const ROLE_OPTIONS: readonly { value: KeyRole; label: string }[] = [
  { value: "viewer", label: "Viewer" },
  { value: "analyst", label: "Analyst" },
  { value: "admin", label: "Admin" },
];

export const KEY_NAME_MAX = 100;

export function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function maskedKey(key: Pick<ApiKey, "prefix" | "start">): string {
  return `${key.prefix}${key.start}…`;
}

/** The create form's body, or what the person must fix first. */
export function createKeyBody(
  name: string,
  role: string,
  expiry: string,
): { body: CreateKeyBody } | { error: string } {
  const trimmed = name.trim();
  if (!trimmed) return { error: "Give the key a name." };
  if (trimmed.length > KEY_NAME_MAX) return { error: `Up to ${KEY_NAME_MAX} characters.` };
  if (!ROLE_OPTIONS.some((r) => r.value === role)) return { error: "Choose a role." };
  const body: CreateKeyBody = { name: trimmed, role: role as KeyRole };
  if (expiry) body.expiresIn = Number(expiry);
  return { body };
}

/** A date for a table cell, in the reader's locale, the year only when it is not this one
 * (the tables stay narrow enough for their action column); the ISO text stays in `dateTime`. */
export function shortDate(iso: string, now: Date = new Date(), locale?: string): string {
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = {
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  };
  if (date.getFullYear() !== now.getFullYear()) options.year = "numeric";
  return date.toLocaleString(locale, options);
}

/** What a failed action says in its dialog: the API's own message and code, also for a 403
 * (a plan without the feature, a role below the action), which page loads read as "admins only". */
export function actionError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return error.message;
    return `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
