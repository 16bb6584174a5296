/** Semantic layer browser: entities (search -> detail: dimensions, measures, joins, and the
 * questions that touched the entity's table), metrics with their SQL, the glossary (search).
 * The chosen entity is in the URL query (`?entity=Orders`). */

import type { AuditLogEntry, EntitySummary } from "@useatlas/sdk";
import { type ReactNode, useMemo, useState } from "react";

import { admin } from "../admin";
import { formatCount, formatTimestamp, humanize } from "../format";
import { hrefOf, navigate, onLinkClick, useLocation } from "../router";
import type { EntityDetail, GlossaryTerm } from "../semantic-model";
import { entityName, flattenMetrics, searchEntities, searchGlossary } from "../semantic-model";
import { DataTable, PageHeading, Status, useLoad } from "../ui";

export function SemanticPage() {
  const { search } = useLocation();
  const selected = new URLSearchParams(search).get("entity");
  const entities = useLoad("entities", () => admin().semantic.entities());
  return (
    <section aria-labelledby="page-heading">
      <PageHeading>Semantic layer</PageHeading>
      <h2 id="semantic-entities">Entities</h2>
      <Status loading={entities.loading} error={entities.error} />
      <div className="console-split">
        <EntityList entities={entities.data?.entities ?? []} selected={selected} />
        <div>
          {selected ? (
            <Entity name={selected} />
          ) : (
            <p className="console-muted">Choose an entity to see its definition.</p>
          )}
        </div>
      </div>
      <Metrics />
      <Glossary />
    </section>
  );
}

function EntityList({
  entities,
  selected,
}: {
  entities: EntitySummary[];
  selected: string | null;
}) {
  const [query, setQuery] = useState("");
  const shown = useMemo(() => searchEntities(entities, query), [entities, query]);
  return (
    <div>
      <label htmlFor="entity-search" className="console-label">
        Search entities
      </label>
      <input
        id="entity-search"
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-describedby="entity-count"
      />
      <p id="entity-count" className="console-muted" aria-live="polite">
        {formatCount(shown.length)} of {formatCount(entities.length)} entities
      </p>
      <ul className="console-list" aria-labelledby="semantic-entities">
        {shown.map((e) => {
          const name = entityName(e);
          return (
            <li key={`${e.source}/${name}`}>
              <button
                type="button"
                aria-current={name === selected ? "true" : undefined}
                onClick={() => navigate(hrefOf("semantic", `?entity=${encodeURIComponent(name)}`))}
              >
                {name} <span className="console-muted">({e.table})</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Entity({ name }: { name: string }) {
  const loaded = useLoad(`entity:${name}`, () => admin().semantic.entity(name));
  const entity = loaded.data?.entity as EntityDetail | undefined;
  return (
    <article aria-labelledby="entity-heading" className="console-detail">
      <h2 id="entity-heading">{entity?.name ?? name}</h2>
      <Status loading={loaded.loading} error={loaded.error} />
      {entity && (
        <>
          <p>
            Table <code>{entity.table}</code>
            {entity.grain ? `: ${entity.grain}` : ""}
          </p>
          {entity.description && <p>{entity.description}</p>}
          <Dimensions entity={entity} />
          <Measures entity={entity} />
          <Joins entity={entity} />
          <TouchingQuestions table={entity.table} />
        </>
      )}
    </article>
  );
}

/** One of an entity's parts: a table captioned with the count, or a line saying there is none. */
function PartsTable<T>({
  caption,
  none,
  columns,
  rows,
  renderRow,
}: {
  caption: string;
  none?: string;
  columns: string[];
  rows: T[];
  renderRow: (row: T) => ReactNode;
}) {
  if (rows.length === 0 && none) return <p className="console-muted">{none}</p>;
  return (
    <DataTable
      caption={`${caption} (${rows.length})`}
      columns={columns}
      rows={rows}
      renderRow={renderRow}
    />
  );
}

function Dimensions({ entity }: { entity: EntityDetail }) {
  return (
    <PartsTable
      caption="Dimensions"
      columns={["Name", "Type", "Description"]}
      rows={entity.dimensions ?? []}
      renderRow={(d) => (
        <tr key={d.name}>
          <th scope="row">
            <code>{d.name}</code>
            {d.primary_key ? " (key)" : ""}
          </th>
          <td>{d.type ?? "—"}</td>
          <td>
            {d.description}
            {d.virtual && d.sql ? (
              <>
                {" "}
                <code className="console-muted">{d.sql}</code>
              </>
            ) : null}
          </td>
        </tr>
      )}
    />
  );
}

function Measures({ entity }: { entity: EntityDetail }) {
  return (
    <PartsTable
      caption="Measures"
      none="No measures."
      columns={["Name", "Aggregation", "SQL", "Description"]}
      rows={entity.measures ?? []}
      renderRow={(m) => (
        <tr key={m.name}>
          <th scope="row">
            <code>{m.name}</code>
          </th>
          <td>{m.type ?? "—"}</td>
          <td>
            <code>{m.sql ?? m.name}</code>
          </td>
          <td>{m.description}</td>
        </tr>
      )}
    />
  );
}

function Joins({ entity }: { entity: EntityDetail }) {
  return (
    <PartsTable
      caption="Joins"
      none="No joins."
      columns={["To", "Relationship", "On", "Description"]}
      rows={entity.joins ?? []}
      renderRow={(j) => (
        <tr key={`${j.target_entity}:${j.join_columns?.from}`}>
          <th scope="row">
            <a
              href={hrefOf("semantic", `?entity=${encodeURIComponent(j.target_entity)}`)}
              onClick={onLinkClick}
            >
              {j.target_entity}
            </a>
          </th>
          <td>{humanize(j.relationship)}</td>
          <td>
            {j.join_columns ? (
              <code>
                {entity.table}.{j.join_columns.from} = {j.join_columns.to}
              </code>
            ) : (
              "—"
            )}
          </td>
          <td>{j.description}</td>
        </tr>
      )}
    />
  );
}

function TouchingQuestions({ table }: { table: string }) {
  const loaded = useLoad(`touching:${table}`, () =>
    admin().audit({ table, kind: "question", limit: 20 }),
  );
  const rows: AuditLogEntry[] = loaded.data?.rows ?? [];
  const auditHref = hrefOf("audit");
  return (
    <>
      <h3 id="touching-heading">Questions that touch it</h3>
      <Status loading={loaded.loading} error={loaded.error} />
      {loaded.data &&
        (rows.length === 0 ? (
          <p className="console-muted">No question has read {table} yet.</p>
        ) : (
          <ul aria-labelledby="touching-heading" className="console-touching">
            {rows.map((r) => (
              <li key={r.id}>
                <span>{r.question}</span>{" "}
                <span className="console-muted">
                  {formatTimestamp(r.timestamp)}, {humanize(r.outcome)}
                </span>
              </li>
            ))}
          </ul>
        ))}
      {loaded.data && loaded.data.total > rows.length && (
        <p>
          {formatCount(loaded.data.total)} in all;{" "}
          <a href={auditHref} onClick={onLinkClick}>
            see the audit log
          </a>
          .
        </p>
      )}
    </>
  );
}

function Metrics() {
  const loaded = useLoad("metrics", () => admin().semantic.metrics());
  const metrics = useMemo(() => flattenMetrics(loaded.data?.metrics ?? []), [loaded.data]);
  return (
    <>
      <h2 id="semantic-metrics">Metrics</h2>
      <Status loading={loaded.loading} error={loaded.error} />
      {loaded.data && metrics.length === 0 && <p className="console-muted">No metrics.</p>}
      <div className="console-metrics">
        {metrics.map((m) => (
          <article key={`${m.source}/${m.id}`} aria-labelledby={`metric-${m.id}`}>
            <h3 id={`metric-${m.id}`}>
              {m.label ?? m.id} <code className="console-muted">{m.id}</code>
            </h3>
            {m.description && <p>{m.description}</p>}
            {m.sql && (
              <details>
                <summary>SQL of {m.label ?? m.id}</summary>
                <pre>
                  <code>{m.sql}</code>
                </pre>
              </details>
            )}
          </article>
        ))}
      </div>
    </>
  );
}

function Glossary() {
  const loaded = useLoad("glossary", () => admin().semantic.glossary());
  const [query, setQuery] = useState("");
  const terms = (loaded.data?.glossary ?? []) as GlossaryTerm[];
  const shown = useMemo(() => searchGlossary(terms, query), [terms, query]);
  return (
    <>
      <h2 id="semantic-glossary">Glossary</h2>
      <Status loading={loaded.loading} error={loaded.error} />
      <label htmlFor="glossary-search" className="console-label">
        Search the glossary
      </label>
      <input
        id="glossary-search"
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <table className="console-table">
        <caption>
          Glossary terms ({formatCount(shown.length)} of {formatCount(terms.length)})
        </caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col">Status</th>
            <th scope="col">Meaning</th>
            <th scope="col">Tables</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => (
            <tr key={t.term}>
              <th scope="row">{t.term}</th>
              <td>{humanize(t.status)}</td>
              <td>
                {t.definition ?? t.note}
                {t.possibleMappings && t.possibleMappings.length > 0 && (
                  <ul>
                    {t.possibleMappings.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td>{(t.tables ?? []).join(", ") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
