// client.admin against a running stack with the audit service (started by
// tests/clients/test_sdk_admin.py, which passes ATLAS_URL, ATLAS_API_KEY and ATLAS_REQUEST_IDS:
// the questions it asked). Outside test/integration/ because that stack has no audit service.
import assert from "node:assert/strict";
import { test } from "node:test";
import { client, rejectsWith, waitFor } from "../integration/helpers.mjs";

const ASKED = (process.env.ATLAS_REQUEST_IDS ?? "").split(",").filter(Boolean);

test("audit, getAuditLog and auditPages find the questions the test asked", async () => {
  assert.ok(ASKED.length >= 2, "ATLAS_REQUEST_IDS: the questions asked");
  const atlas = client();
  const page = await waitFor(
    async () => {
      const found = await atlas.admin.audit({ kind: "question", limit: 200 });
      const ids = new Set(found.rows.map((r) => r.requestId));
      return ASKED.every((id) => ids.has(id)) && found;
    },
    { timeoutMs: 30000, what: "the questions in the audit trail" },
  );
  const row = page.rows.find((r) => r.requestId === ASKED[0]);
  assert.deepEqual([row.kind, row.action, row.success], ["question", "query.answered", true]);
  assert.ok(row.sql.length > 0 && row.tables.length > 0, JSON.stringify(row));
  assert.equal(typeof page.totalIsEstimate, "boolean");

  const upstream = await atlas.getAuditLog({ limit: 1, offset: 0, success: true });
  assert.equal(upstream.rows.length, 1);
  assert.equal(upstream.limit, 1);

  const seen = [];
  for await (const p of atlas.admin.auditPages({ kind: "question", limit: 1 })) {
    seen.push(...p.rows.map((r) => r.id));
    if (seen.length > 500) break;
  }
  assert.equal(new Set(seen).size, seen.length, "a row repeated across cursor pages");
  assert.ok(seen.length >= ASKED.length);
});

test("auditStats and auditExport: the figures and the CSV of the same trail", async () => {
  const atlas = client();
  const stats = await atlas.admin.auditStats();
  assert.ok(stats.totalQueries >= ASKED.length, JSON.stringify(stats));
  assert.ok(stats.errorRate >= 0 && stats.errorRate <= 1);
  assert.ok(stats.queriesPerDay.length >= 1);

  const res = await atlas.admin.auditExport({ kind: "question" });
  assert.match(res.headers.get("content-type"), /^text\/csv/);
  assert.match(res.headers.get("content-disposition"), /atlas-audit-.*\.csv/);
  const csv = await res.text();
  for (const id of ASKED) assert.ok(csv.includes(id), `${id} not in the export`);
});

test("overview, semantic, connections, plan and plugins as upstream names them", async () => {
  const { admin } = client();
  const overview = await admin.overview();
  assert.ok(overview.entities > 0 && overview.connections >= 1, JSON.stringify(overview));
  assert.deepEqual([overview.plugins, overview.pluginHealth], [0, []]);
  assert.ok(overview.questions.total >= ASKED.length);

  const { entities } = await admin.semantic.entities();
  assert.ok(entities.length > 0);
  const { entity } = await admin.semantic.entity(entities[0].name ?? entities[0].table);
  assert.ok(entity);
  assert.equal((await admin.semantic.stats()).totalEntities, entities.length);

  const { connections } = await admin.connections();
  assert.ok(connections.some((c) => c.id === "default"));
  const health = await admin.testConnection("default");
  assert.equal(health.status, "healthy");
  await rejectsWith(admin.testConnection("nope"), "not_found", 404);

  const plan = await admin.plan();
  assert.ok(Array.isArray(plan.features));
  assert.deepEqual(await admin.plugins(), { plugins: [] });
  await rejectsWith(admin.pluginHealth("any"), "not_found", 404);
});

test("a bad filter is a validation_error, never a 500", async () => {
  const { admin } = client();
  await assert.rejects(admin.audit({ from: "yesterday" }), (e) => e.code === "validation_error");
  await assert.rejects(admin.audit({ limit: 0 }), (e) => e.code === "validation_error");
  await assert.rejects(
    admin.auditExport({ outcome: "exploded" }),
    (e) => e.code === "validation_error",
  );
});
