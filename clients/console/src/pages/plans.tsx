/** Plans: the workspace's plan and what it allows (GET /api/v1/admin/plan): each feature, a
 * switch on or off, or a metered count with its limit, a usage bar and when it resets. Without a
 * plans file every feature is unlimited, and the page says so. */

import { ApiError } from "../api";
import { PageHeading, Status, useApi } from "../ui";
import "./api-keys-pages.css";
import type { PlanBody, PlanFeature } from "./plans-logic";
import { featureLabel, meterOf, orderedFeatures, resetsIn } from "./plans-logic";

export function PlansPage() {
  const plan = useApi<PlanBody>("/api/v1/admin/plan");
  if (plan.error instanceof ApiError && plan.error.status === 403) {
    return (
      <section aria-labelledby="page-heading">
        <PageHeading>Admins only</PageHeading>
        <p>The plan and its usage are shown to the workspace's admins.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="page-heading">
      <PageHeading>Plan and usage</PageHeading>
      <Status loading={plan.loading && !plan.data} error={plan.error} />
      {plan.data && <PlanView plan={plan.data} />}
    </section>
  );
}

function PlanView({ plan }: { plan: PlanBody }) {
  if (plan.features.length === 0 && (plan.unlimited || plan.plan === null)) {
    return (
      <div className="console-feature">
        <h2>No plans file: unlimited</h2>
        <p>
          This Atlas runs without a plans file (<code>ATLAS_PLANS_FILE</code>), so every feature is
          on and nothing is metered. docs/operations.md says how to set plans and their limits.
        </p>
      </div>
    );
  }
  return (
    <>
      <p className="console-lede">
        Workspace <strong>{plan.workspaceId}</strong> is on the{" "}
        <strong className="console-plan-name">{plan.plan ?? "default"}</strong> plan.
      </p>
      <h2 id="features-heading">Features</h2>
      <ul className="console-features" aria-labelledby="features-heading">
        {orderedFeatures(plan.features).map((f) => (
          <li key={f.key} className="console-feature">
            <FeatureView feature={f} />
          </li>
        ))}
      </ul>
    </>
  );
}

function FeatureView({ feature }: { feature: PlanFeature }) {
  const label = featureLabel(feature.key);
  if (feature.kind === "boolean") {
    const state = feature.enabled ? "On" : "Off";
    return (
      <h3>
        {label} <span className={`console-badge ${state.toLowerCase()}`}>{state}</span>
      </h3>
    );
  }
  const meter = meterOf(feature);
  return (
    <>
      <h3 id={`feature-${feature.key}`}>
        {label}
        {!feature.enabled && <span className="console-badge off">Off</span>}
      </h3>
      <p>{meter.text}</p>
      {meter.limit !== null && (
        <div
          className="console-meter"
          role="progressbar"
          aria-labelledby={`feature-${feature.key}`}
          aria-valuemin={0}
          aria-valuemax={meter.limit}
          aria-valuenow={Math.min(meter.used, meter.limit)}
          aria-valuetext={meter.text}
        >
          <span className={meter.level} style={{ width: `${Math.round(meter.share * 100)}%` }} />
        </div>
      )}
      {feature.resetsAt && (
        <p className="console-muted">
          <time dateTime={feature.resetsAt} title={new Date(feature.resetsAt).toISOString()}>
            {resetsIn(feature.resetsAt)}
          </time>
        </p>
      )}
    </>
  );
}
