/** One query's result: the SQL (collapsed, copyable), the chart when the data's shape calls
 * for one, and the rows as a table. */

import { useId, useState } from "react";

import type { ChartHint } from "../lib/chart-choice";
import { CopyButton } from "./copy-button";
import { DataTable } from "./data-table";
import { ResultChart } from "./result-chart";

export interface SQLResultCardProps {
  sql: string;
  columns: string[];
  rows: Record<string, unknown>[];
  truncated?: boolean;
  hint?: ChartHint;
  /** Set while the query runs: the card shows the SQL and a running note. */
  isLoading?: boolean;
  error?: string;
}

export function SQLResultCard({
  sql,
  columns,
  rows,
  truncated,
  hint,
  isLoading,
  error,
}: SQLResultCardProps) {
  const [open, setOpen] = useState(false);
  const sqlId = useId();
  const count = `${rows.length} ${rows.length === 1 ? "row" : "rows"}${truncated ? "+" : ""}`;
  return (
    <section className="atlas-card atlas-sql-card" aria-label="Query result">
      <header className="atlas-card-header">
        <button
          type="button"
          className="atlas-btn atlas-btn-ghost"
          aria-expanded={open}
          aria-controls={sqlId}
          onClick={() => setOpen((v) => !v)}
        >
          {open ? "Hide SQL" : "Show SQL"}
        </button>
        <span className="atlas-card-meta">{isLoading ? "Running…" : error ? "Failed" : count}</span>
        <CopyButton text={sql} label="Copy SQL" />
      </header>
      <pre id={sqlId} className="atlas-sql" hidden={!open}>
        <code>{sql}</code>
      </pre>
      {error && (
        <p className="atlas-card-error" role="alert">
          {error}
        </p>
      )}
      {!isLoading && !error && (
        <>
          <ResultChart columns={columns} rows={rows} hint={hint} />
          <DataTable columns={columns} rows={rows} truncated={truncated} />
        </>
      )}
    </section>
  );
}
