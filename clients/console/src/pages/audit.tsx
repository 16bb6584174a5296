/** Audit log: every question and change of the workspace, newest first. Filters (user,
 * surface, outcome, dates, text) live in the URL query; "Load more" follows `nextCursor` (focus
 * goes to the first row it adds); a row opens its detail with the SQL as run; "Export CSV"
 * downloads the same filtered rows. */

import type { AuditLogEntry, AuditLogResponse } from "@useatlas/sdk";
import type { FormEvent } from "react";
import { useEffect, useRef, useState } from "react";

import { admin } from "../admin";
import type { AuditFilterState } from "../audit-filters";
import {
  apiFilters,
  EMPTY_FILTERS,
  exportHref,
  filtersFromSearch,
  hasFilters,
  mergePage,
  OUTCOMES,
  SURFACES,
  searchOfFilters,
} from "../audit-filters";
import {
  formatCount,
  formatDuration,
  formatTimestamp,
  humanize,
  shortId,
  surfaceLabel,
  truncate,
} from "../format";
import { hrefOf, navigate, useLocation } from "../router";
import { PageHeading, Status } from "../ui";
import type { UserLabels } from "../user-labels";
import { userLabelOf, useUserLabels } from "../user-labels";

const PAGE_SIZE = 50;

export function AuditPage() {
  const { search } = useLocation();
  const filters = filtersFromSearch(search);
  const key = searchOfFilters(filters);
  const trail = useTrail(key, filters);
  const [selected, setSelected] = useState<AuditLogEntry | null>(null);
  const labels = useUserLabels();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter closes the detail
  useEffect(() => setSelected(null), [key]);

  return (
    <section aria-labelledby="page-heading">
      <PageHeading>Audit log</PageHeading>
      <FilterForm key={key} initial={filters} />
      <p>
        <a className="console-button-link" href={exportHref(filters)} download>
          Export CSV
        </a>{" "}
        <span className="console-muted">(the filtered rows, up to 100,000)</span>
      </p>
      <Status loading={trail.loading} error={trail.error} />
      {trail.page && (
        <AuditTable
          rows={trail.rows}
          total={trail.page.total}
          estimate={Boolean(trail.page.totalIsEstimate)}
          filtered={hasFilters(filters)}
          labels={labels}
          landed={trail.landed}
          onOpen={setSelected}
        />
      )}
      {trail.page?.nextCursor && (
        // aria-disabled, not disabled: a disabled button drops the keyboard focus, and a page
        // that fails to load leaves no row to move it to.
        <button
          type="button"
          aria-disabled={trail.loading}
          onClick={() => {
            if (!trail.loading) trail.more();
          }}
        >
          Load more
        </button>
      )}
      {selected && (
        <AuditDetail entry={selected} labels={labels} onClose={() => setSelected(null)} />
      )}
    </section>
  );
}

interface Trail {
  rows: AuditLogEntry[];
  page: AuditLogResponse | undefined;
  loading: boolean;
  error: unknown;
  /** Where the last "Load more" page begins (a new object per page, so each one moves focus). */
  landed: Landed | null;
  more: () => void;
}

interface Landed {
  index: number;
}

/** The first page for the filters, then more pages appended by cursor. */
function useTrail(key: string, filters: AuditFilterState): Trail {
  const [rows, setRows] = useState<AuditLogEntry[]>([]);
  const [page, setPage] = useState<AuditLogResponse>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [landed, setLanded] = useState<Landed | null>(null);
  const generation = useRef(0);
  const load = (cursor: string | undefined) => {
    const index = rows.length;
    const mine = ++generation.current;
    setLoading(true);
    setError(undefined);
    admin()
      .audit({ ...apiFilters(filters), limit: PAGE_SIZE, cursor })
      .then((next) => {
        if (mine !== generation.current) return;
        setPage(next);
        setRows((before) => mergePage(before, next.rows, cursor));
        setLanded(cursor ? { index } : null);
      })
      .catch((err: unknown) => mine === generation.current && setError(err))
      .finally(() => mine === generation.current && setLoading(false));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the filters
  useEffect(() => load(undefined), [key]);
  return {
    rows,
    page,
    loading,
    error,
    landed,
    more: () => load(page?.nextCursor ?? undefined),
  };
}

function FilterForm({ initial }: { initial: AuditFilterState }) {
  const [draft, setDraft] = useState(initial);
  const set = (name: keyof AuditFilterState) => (value: string) =>
    setDraft((d) => ({ ...d, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(hrefOf("audit", searchOfFilters(draft)));
  };
  return (
    <form className="console-filters" onSubmit={submit} aria-label="Audit filters">
      <Field
        id="audit-q"
        label="Text in question or SQL"
        type="search"
        value={draft.q}
        onChange={set("q")}
      />
      <Field id="audit-user" label="User id" value={draft.user} onChange={set("user")} />
      <Choice
        id="audit-surface"
        label="Surface"
        options={SURFACES}
        value={draft.surface}
        onChange={set("surface")}
      />
      <Choice
        id="audit-outcome"
        label="Outcome"
        options={OUTCOMES}
        value={draft.outcome}
        onChange={set("outcome")}
      />
      <Field id="audit-from" label="From" type="date" value={draft.from} onChange={set("from")} />
      <Field id="audit-to" label="To" type="date" value={draft.to} onChange={set("to")} />
      <div className="console-filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => navigate(hrefOf("audit", searchOfFilters(EMPTY_FILTERS)))}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
}

function Field({ id, label, value, onChange, type = "text" }: FieldProps) {
  return (
    <label htmlFor={id}>
      {label}
      <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

function Choice({
  id,
  label,
  options,
  value,
  onChange,
}: FieldProps & { options: readonly string[] }) {
  return (
    <label htmlFor={id}>
      {label}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {humanize(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

interface TableProps {
  rows: AuditLogEntry[];
  total: number;
  estimate: boolean;
  filtered: boolean;
  labels: UserLabels;
  landed: Landed | null;
  onOpen: (entry: AuditLogEntry) => void;
}

function AuditTable({ rows, total, estimate, filtered, labels, landed, onOpen }: TableProps) {
  const count = `${estimate ? "about " : ""}${formatCount(total)}`;
  const body = useRef<HTMLTableSectionElement>(null);
  // The pressed "Load more" was disabled while loading, and is gone after the last page: focus
  // moves to the first appended row (not lost to <body>), where reading goes on.
  useEffect(() => {
    if (landed) body.current?.rows[landed.index]?.querySelector("button")?.focus();
  }, [landed]);
  return (
    <div className="console-scroll">
      <table className="console-table" aria-describedby="audit-shown">
        <caption>
          Audit events, newest first: {count} {filtered ? "matching" : "in all"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Surface</th>
            <th scope="col">Event</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              Rows
            </th>
          </tr>
        </thead>
        <tbody ref={body}>
          {rows.map((row) => (
            <tr key={row.id}>
              <td className="console-nowrap">{formatTimestamp(row.timestamp)}</td>
              <td title={row.userId ?? undefined}>
                {userLabelOf(labels, row) ?? shortId(row.userId)}
              </td>
              <td>{surfaceLabel(row.surface)}</td>
              <td>
                <button type="button" className="console-link" onClick={() => onOpen(row)}>
                  {row.kind === "question"
                    ? truncate(row.question, 90) || "(no question)"
                    : row.action}
                </button>
              </td>
              <td className={row.success ? "" : "console-bad"}>
                {row.kind === "question" ? humanize(row.outcome) : "—"}
              </td>
              <td className="num">
                {row.kind === "question" ? formatDuration(row.durationMs) : "—"}
              </td>
              <td className="num">{formatCount(row.rowCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p id="audit-shown" className="console-muted" role="status">
        {rows.length === 0 ? "No event matches." : `Showing ${formatCount(rows.length)}.`}
      </p>
    </div>
  );
}

interface DetailProps {
  entry: AuditLogEntry;
  labels: UserLabels;
  onClose: () => void;
}

function AuditDetail({ entry, labels, onClose }: DetailProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus follows the opened row
  useEffect(() => heading.current?.focus(), [entry.id]);
  const facts: [string, string][] = [
    ["Time", formatTimestamp(entry.timestamp)],
    ["Event", entry.action],
    ["User", userLabelOf(labels, entry) ?? entry.userId ?? "—"],
    ["Role", entry.role ?? "—"],
    ["Auth mode", entry.authMode ?? "—"],
    ["Surface", surfaceLabel(entry.surface)],
    ["Outcome", humanize(entry.outcome)],
    [
      "Error",
      entry.error ? `${entry.error}${entry.errorCode ? ` (${entry.errorCode})` : ""}` : "—",
    ],
    ["Duration", formatDuration(entry.durationMs)],
    ["Rows", formatCount(entry.rowCount)],
    ["Tables", entry.tables.join(", ") || "—"],
    ["Tokens", formatCount(entry.tokens)],
    ["Request id", entry.requestId ?? "—"],
    ["Conversation", entry.conversationId ?? "—"],
    ["About", entry.targetId ?? "—"],
  ];
  return (
    <section className="console-detail" aria-labelledby="audit-detail-heading">
      <h2 id="audit-detail-heading" ref={heading} tabIndex={-1}>
        Event detail
      </h2>
      {entry.question && <p className="console-question">{entry.question}</p>}
      <dl className="console-facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>SQL as run</h3>
      {entry.sql ? (
        <pre>
          <code>{entry.sql}</code>
        </pre>
      ) : (
        <p className="console-muted">No SQL ran.</p>
      )}
      {Object.keys(entry.details).length > 0 && (
        <>
          <h3>Details</h3>
          <pre>{JSON.stringify(entry.details, null, 2)}</pre>
        </>
      )}
      <button type="button" onClick={onClose}>
        Close detail
      </button>
    </section>
  );
}
