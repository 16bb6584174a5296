/** Overview: the last 30 days of questions (per day, error rate, p95 latency, active users,
 * top questions), the semantic layer's size and the plan's usage (GET /api/v1/admin/overview). */

import { ResultChart, useAtlasContext } from "@useatlas/react";
import type { AdminOverview, PlanFeature, QuestionsOverview } from "@useatlas/sdk";
import { useMemo } from "react";

import { admin } from "../admin";
import { fillDays, formatCount, formatDuration, formatRate, usagePercent } from "../format";
import { hrefOf, onLinkClick } from "../router";
import { PageHeading, Status, useLoad } from "../ui";
import { featureLabel } from "./plans-logic";

const PER_DAY_CHART = { kind: "line" as const, x: "day", y: ["questions", "errors"] };

export function OverviewPage() {
  const overview = useLoad("overview", () => admin().overview());
  const data = overview.data;
  return (
    <section aria-labelledby="page-heading">
      <PageHeading>Overview</PageHeading>
      <Status loading={overview.loading} error={overview.error} />
      {data && <OverviewBody data={data} />}
    </section>
  );
}

function OverviewBody({ data }: { data: AdminOverview }) {
  return (
    <>
      {data.partial && (
        <p className="console-error" role="note">
          Some figures could not be read just now (a service did not answer); they show as —.
        </p>
      )}
      <Questions questions={data.questions} />
      <h2 id="overview-layer">Semantic layer</h2>
      <dl className="console-cards" aria-labelledby="overview-layer">
        <Card label="Connections" value={formatCount(data.connections)} />
        <Card label="Entities" value={formatCount(data.entities)} />
        <Card label="Metrics" value={formatCount(data.metrics)} />
        <Card label="Glossary terms" value={formatCount(data.glossaryTerms)} />
      </dl>
      <p>
        <a href={hrefOf("semantic")} onClick={onLinkClick}>
          Browse the semantic layer
        </a>
      </p>
      <PlanUsage plan={data.plan} />
    </>
  );
}

function Questions({ questions: q }: { questions: QuestionsOverview | null }) {
  return (
    <>
      <h2 id="overview-questions">Questions, last 30 days</h2>
      <dl className="console-cards" aria-labelledby="overview-questions">
        <Card label="Questions" value={formatCount(q?.total)} />
        <Card label="Error rate" value={formatRate(q?.errorRate)} />
        <Card label="p95 latency" value={formatDuration(q?.p95DurationMs)} />
        <Card label="Active users" value={formatCount(q?.activeUsers)} />
      </dl>
      {q && <PerDay perDay={q.perDay} />}
      {q && <TopQuestions top={q.topQuestions} />}
    </>
  );
}

function Card({ label, value }: { label: string; value: string }) {
  return (
    <div className="console-card">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function PerDay({ perDay }: { perDay: QuestionsOverview["perDay"] }) {
  // The chart reads its colours when drawn: a new theme draws it again.
  const { resolvedTheme } = useAtlasContext();
  const rows = useMemo(
    () =>
      fillDays(perDay, new Date()).map((d) => ({
        day: d.day,
        questions: d.count,
        errors: d.errors,
      })),
    [perDay],
  );
  return (
    <>
      <h3>Questions per day</h3>
      {perDay.length === 0 ? (
        <p className="console-muted">No questions in the last 30 days.</p>
      ) : (
        <>
          <div className="console-chart">
            <ResultChart
              key={resolvedTheme}
              columns={["day", "questions", "errors"]}
              rows={rows}
              choice={PER_DAY_CHART}
            />
          </div>
          <details>
            <summary>Questions per day as a table</summary>
            <table className="console-table">
              <caption>Questions and errors per day with questions (UTC)</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" className="num">
                    Questions
                  </th>
                  <th scope="col" className="num">
                    Errors
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows
                  .filter((r) => r.questions > 0)
                  .map((r) => (
                    <tr key={r.day}>
                      <th scope="row">{r.day}</th>
                      <td className="num">{formatCount(r.questions)}</td>
                      <td className="num">{formatCount(r.errors)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </>
  );
}

function TopQuestions({ top }: { top: QuestionsOverview["topQuestions"] }) {
  if (top.length === 0) return null;
  return (
    <table className="console-table">
      <caption>Top questions</caption>
      <thead>
        <tr>
          <th scope="col">Question</th>
          <th scope="col" className="num">
            Asked
          </th>
        </tr>
      </thead>
      <tbody>
        {top.map((t) => (
          <tr key={t.question}>
            <td>{t.question}</td>
            <td className="num">{formatCount(t.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PlanUsage({ plan }: { plan: AdminOverview["plan"] }) {
  const metered = plan?.features.filter((f) => f.kind === "metered") ?? [];
  return (
    <>
      <h2>Plan usage</h2>
      {!plan || plan.unlimited ? (
        <p>No plans file: every feature is available, without limits.</p>
      ) : (
        <>
          <p>
            Plan <strong>{plan.plan ?? "none"}</strong>.{" "}
            <a href={hrefOf("plans")} onClick={onLinkClick}>
              All features of the plan
            </a>
          </p>
          {metered.length === 0 ? (
            <p className="console-muted">The plan has no metered feature.</p>
          ) : (
            <ul className="console-usage">
              {metered.map((f) => (
                <Usage key={f.key} feature={f} />
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function Usage({ feature }: { feature: PlanFeature }) {
  const percent = usagePercent(feature.used, feature.limit);
  const id = `usage-${feature.key}`;
  return (
    <li>
      <span id={id}>{featureLabel(feature.key)}</span>{" "}
      <span className="console-muted">
        {feature.used === null
          ? `up to ${feature.limit === null ? "unlimited" : formatCount(feature.limit)}`
          : `${formatCount(feature.used)} of ${
              feature.limit === null ? "unlimited" : formatCount(feature.limit)
            }`}
      </span>
      {percent !== null && <progress aria-labelledby={id} max={100} value={percent} />}
    </li>
  );
}
