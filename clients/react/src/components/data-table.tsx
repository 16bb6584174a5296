/** A query result as a table: sortable columns, numbers and dates formatted for the reader's
 * locale, a CSV download of the rows as returned, and a note when the rows were cut. */

import { useMemo, useState } from "react";
import type { ColumnKind } from "../lib/format";
import { columnKind, compareValues, formatCell, toCsv } from "../lib/format";

export interface DataTableProps {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated?: boolean;
  /** Rows shown before "Show all" (default 50). */
  pageSize?: number;
  filename?: string;
}

type Sort = { column: string; direction: 1 | -1 } | null;

function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = filename;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function ariaSort(sort: Sort, column: string): "ascending" | "descending" | "none" {
  if (sort?.column !== column) return "none";
  return sort.direction === 1 ? "ascending" : "descending";
}

export function DataTable({
  columns,
  rows,
  truncated,
  pageSize = 50,
  filename = "atlas-result.csv",
}: DataTableProps) {
  const [sort, setSort] = useState<Sort>(null);
  const [all, setAll] = useState(false);
  const kinds = useMemo(
    () => new Map<string, ColumnKind>(columns.map((c) => [c, columnKind(rows, c)])),
    [columns, rows],
  );
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const kind = kinds.get(sort.column) ?? "text";
    return [...rows].sort(
      (a, b) => sort.direction * compareValues(a[sort.column], b[sort.column], kind),
    );
  }, [rows, sort, kinds]);
  const shown = all ? sorted : sorted.slice(0, pageSize);
  const toggle = (column: string) =>
    setSort((s) =>
      s?.column === column
        ? { column, direction: s.direction === 1 ? -1 : 1 }
        : { column, direction: 1 },
    );

  return (
    <div className="atlas-table">
      <div className="atlas-table-scroll">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c}
                  scope="col"
                  aria-sort={ariaSort(sort, c)}
                  className={kinds.get(c) === "number" ? "atlas-num" : undefined}
                >
                  <button type="button" onClick={() => toggle(c)}>
                    {c}
                    <span aria-hidden="true">
                      {sort?.column === c ? (sort.direction === 1 ? " ▲" : " ▼") : ""}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: result rows have no identity; the position is it
              <tr key={n}>
                {columns.map((c) => (
                  <td key={c} className={kinds.get(c) === "number" ? "atlas-num" : undefined}>
                    {formatCell(row[c], kinds.get(c) ?? "text")}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="atlas-table-footer">
        <span>
          {rows.length} {rows.length === 1 ? "row" : "rows"}
        </span>
        {truncated && (
          <span className="atlas-note" role="note">
            Rows were cut at the row limit; the full result is larger.
          </span>
        )}
        {rows.length > pageSize && (
          <button
            type="button"
            className="atlas-btn atlas-btn-ghost"
            onClick={() => setAll((v) => !v)}
          >
            {all ? "Show fewer" : `Show all ${rows.length}`}
          </button>
        )}
        <button
          type="button"
          className="atlas-btn atlas-btn-ghost"
          onClick={() => download(filename, toCsv(columns, rows))}
        >
          Download CSV
        </button>
      </div>
    </div>
  );
}
