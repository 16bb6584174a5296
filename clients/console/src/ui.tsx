/** Pieces every page uses: the page heading (focused after a navigation, so a screen reader
 * announces the new page), the loading / error live region, and a hook for one GET. */

import type { ReactNode, RefObject } from "react";
import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError, apiFetch } from "./api";

export const HEADING_ID = "page-heading";

export function PageHeading({ children }: { children: ReactNode }) {
  return (
    <h1 id={HEADING_ID} tabIndex={-1} className="console-heading">
      {children}
    </h1>
  );
}

/** A table with a caption and column headers (and a last, visually hidden "Actions" header
 * when its rows end with buttons); each row renders its own keyed `<tr>`. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  renderRow,
  actions = false,
  className = "console-table",
}: {
  caption: string;
  columns: string[];
  rows: T[];
  renderRow: (row: T) => ReactNode;
  actions?: boolean;
  className?: string;
}) {
  return (
    <table className={className}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
          {actions && (
            <th scope="col">
              <span className="console-visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{rows.map(renderRow)}</tbody>
    </table>
  );
}

/** The head of a page that manages a list: heading, what the page is for, the button that adds
 * to the list (focus returns to it when its dialog closes), and the live notice of the last
 * change. */
export function ManagedListHead({
  title,
  lede,
  action,
  actionRef,
  onAction,
  notice,
}: {
  title: string;
  lede: ReactNode;
  action: string;
  actionRef: RefObject<HTMLButtonElement | null>;
  onAction: () => void;
  notice: string;
}) {
  return (
    <>
      <div className="console-page-head">
        <div>
          <PageHeading>{title}</PageHeading>
          <p className="console-lede">{lede}</p>
        </div>
        <button ref={actionRef} type="button" className="primary" onClick={onAction}>
          {action}
        </button>
      </div>
      <p className="console-notice" role="status" aria-live="polite">
        {notice}
      </p>
    </>
  );
}

/** An `ApiError` or the SDK's `AtlasError` (both carry `status` and `code`), or anything. A
 * role refusal says who may see the page; any other refusal (a plan's) keeps the API's words. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError || (error instanceof Error && "code" in error)) {
    const { status, code } = error as Error & { status?: number; code?: string };
    if (status === 403 && (code === "forbidden_role" || code === "forbidden")) {
      return "Only workspace admins can see this page.";
    }
    return code ? `${error.message} (${code})` : error.message;
  }
  return error instanceof Error ? envelopeText(error.message) : String(error);
}

/** A message that is itself the Atlas error envelope as JSON (the React package's sign-in
 * throws the response body) becomes its `message`; anything else is kept as it is. */
export function envelopeText(message: string): string {
  if (!message.trimStart().startsWith("{")) return message;
  try {
    const body = JSON.parse(message) as Record<string, unknown>;
    return typeof body.message === "string" ? body.message : message;
  } catch {
    return message;
  }
}

/** The state of one request: announced politely while loading, assertively when it failed. */
export function Status({ loading, error }: { loading?: boolean; error?: unknown }) {
  return (
    <>
      <div className="console-status" role="status" aria-live="polite">
        {loading ? "Loading…" : ""}
      </div>
      <div className="console-error" role="alert">
        {error ? errorText(error) : ""}
      </div>
    </>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Run `load` (again whenever `key` changes, or on `reload`); a `null` key loads nothing. */
export function useLoad<T>(key: string | null, load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(key !== null);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  const latest = useRef(load);
  latest.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: key and round say when to load
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setLoading(true);
    setError(undefined);
    latest
      .current()
      .then((body) => live && setData(body))
      .catch((err: unknown) => live && setError(err))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key, round]);
  return { data, error, loading, reload };
}

/** GET `path` with `apiFetch` (again whenever it changes); `null` skips the request. */
export function useApi<T>(path: string | null): Loaded<T> {
  return useLoad<T>(path, () => apiFetch<T>(path ?? ""));
}
