// client.admin on the wire: the paths, query strings and bodies upstream's SDK sends, Atlas's
// audit filters, the cursor pages, the CSV export as a streamed Response, and error envelopes
// as AtlasError. A local HTTP server records each request and answers what the test queued
// (the real gateway is in tests/e2e/test_sdk_admin.py).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { AtlasError, createAtlasClient } from "../../dist/index.js";

const ENTRY = {
  id: "e-1",
  timestamp: "2026-12-07T10:00:00Z",
  userId: "u-1",
  userLabel: null,
  authMode: "simple-key",
  sql: "SELECT count(*) FROM users LIMIT 1000",
  durationMs: 12,
  rowCount: 1,
  success: true,
  error: null,
  sourceId: "default",
  sourceType: "duckdb",
  targetHost: null,
  kind: "question",
  action: "query.answered",
  surface: "api",
  question: "How many users signed up last week?",
  outcome: "answered",
  errorCode: null,
  tokens: 40,
  conversationId: "c-1",
  requestId: "r-1",
  tables: ["users"],
  role: "admin",
  targetId: null,
  details: {},
};

let server;
let baseUrl;
const seen = [];
const answers = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body: body ? JSON.parse(body) : undefined });
      const next = answers.shift() ?? { status: 500, json: { error: "unexpected" } };
      if (next.text !== undefined) {
        res.writeHead(next.status, { "content-type": "text/csv", ...next.headers });
        return res.end(next.text);
      }
      res.writeHead(next.status, { "content-type": "application/json" });
      res.end(JSON.stringify(next.json));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

function answer(status, json) {
  answers.push({ status, json });
}

function atlas() {
  seen.length = 0;
  return createAtlasClient({ baseUrl, apiKey: "sk-test", maxRetries: 0 });
}

test("upstream's reads: each GET path, the answer returned as sent", async () => {
  const calls = [
    ["/api/v1/admin/overview", (a) => a.admin.overview()],
    ["/api/v1/admin/semantic/entities", (a) => a.admin.semantic.entities()],
    [
      "/api/v1/admin/semantic/entities/order%20items",
      (a) => a.admin.semantic.entity("order items"),
    ],
    ["/api/v1/admin/semantic/metrics", (a) => a.admin.semantic.metrics()],
    ["/api/v1/admin/semantic/glossary", (a) => a.admin.semantic.glossary()],
    ["/api/v1/admin/semantic/catalog", (a) => a.admin.semantic.catalog()],
    ["/api/v1/admin/semantic/stats", (a) => a.admin.semantic.stats()],
    ["/api/v1/admin/connections", (a) => a.admin.connections()],
    ["/api/v1/admin/plugins", (a) => a.admin.plugins()],
    ["/api/v1/admin/plan", (a) => a.admin.plan()],
    [
      "/api/v1/admin/audit/stats?from=2026-12-01",
      (a) => a.admin.auditStats({ from: "2026-12-01" }),
    ],
  ];
  for (const [path, fn] of calls) {
    const client = atlas();
    answer(200, { marker: path });
    assert.deepEqual(await fn(client), { marker: path });
    assert.deepEqual([seen[0].method, seen[0].url], ["GET", path]);
  }
});

test("testConnection and pluginHealth: POST {} to the escaped id", async () => {
  const health = { status: "healthy", latencyMs: 3, checkedAt: "2026-12-07T10:00:00Z" };
  const client = atlas();
  answer(200, { ...health, readOnly: true });
  assert.equal((await client.admin.testConnection("my db")).readOnly, true);
  assert.deepEqual(seen[0], {
    method: "POST",
    url: "/api/v1/admin/connections/my%20db/test",
    body: {},
  });
  answer(404, { error: "not_found", message: "No such plugin" });
  await assert.rejects(client.admin.pluginHealth("p/1"), (e) => e.code === "not_found");
  assert.equal(seen[1].url, "/api/v1/admin/plugins/p%2F1/health");
});

test("audit and getAuditLog: upstream's filters then Atlas's in the query string", async () => {
  const page = { rows: [ENTRY], total: 1, limit: 10, offset: 0, nextCursor: null };
  const client = atlas();
  answer(200, page);
  const options = { limit: 10, offset: 5, user: "u-1", success: false, from: "2026-12-01" };
  assert.deepEqual(await client.admin.audit(options), page);
  assert.equal(
    seen[0].url,
    "/api/v1/admin/audit?limit=10&offset=5&user=u-1&success=false&from=2026-12-01",
  );
  answer(200, page);
  await client.getAuditLog({ surface: "mcp", outcome: "error", kind: "question", q: "a b" });
  assert.equal(seen[1].url, "/api/v1/admin/audit?surface=mcp&outcome=error&kind=question&q=a+b");
  answer(200, page);
  await client.admin.audit();
  assert.equal(seen[2].url, "/api/v1/admin/audit");
});

test("auditPages follows nextCursor and drops the offset after the first page", async () => {
  const client = atlas();
  answer(200, { rows: [ENTRY], total: 3, limit: 1, offset: 2, nextCursor: "c1" });
  answer(200, { rows: [ENTRY], total: 3, limit: 1, offset: 0, nextCursor: "c/2" });
  answer(200, { rows: [ENTRY], total: 3, limit: 1, offset: 0, nextCursor: null });
  const pages = [];
  for await (const page of client.admin.auditPages({ limit: 1, offset: 2, table: "users" })) {
    pages.push(page);
  }
  assert.equal(pages.length, 3);
  assert.deepEqual(
    seen.map((r) => r.url),
    [
      "/api/v1/admin/audit?limit=1&offset=2&table=users",
      "/api/v1/admin/audit?limit=1&table=users&cursor=c1",
      "/api/v1/admin/audit?limit=1&table=users&cursor=c%2F2",
    ],
  );
});

test("auditExport: the filters, a Response with the CSV and the truncation header", async () => {
  const client = atlas();
  const csv = "id,timestamp,question\r\ne-1,2026-12-07T10:00:00Z,'=1+1\r\n";
  answers.push({ status: 200, text: csv, headers: { "x-atlas-truncated": "true" } });
  const res = await client.admin.auditExport({ action: "key.revoked", to: "2026-12-07" });
  assert.equal(seen[0].url, "/api/v1/admin/audit/export?action=key.revoked&to=2026-12-07");
  assert.equal(res.headers.get("x-atlas-truncated"), "true");
  assert.equal(await res.text(), csv);
});

test("refusals are AtlasErrors: a viewer, a bad filter, an export refused", async () => {
  const cases = [
    [403, "forbidden_role", (a) => a.admin.overview()],
    [422, "validation_error", (a) => a.admin.audit({ from: "yesterday" })],
    [400, "validation_error", (a) => a.admin.auditExport({ kind: "nope" })],
  ];
  for (const [status, code, fn] of cases) {
    answer(status, { error: code, message: `${code} here`, requestId: "req-1" });
    await assert.rejects(fn(atlas()), (error) => {
      assert.ok(error instanceof AtlasError);
      assert.deepEqual([error.code, error.status, error.requestId], [code, status, "req-1"]);
      return true;
    });
  }
});

test("an empty id is refused before any request", async () => {
  const client = atlas();
  for (const fn of [
    () => client.admin.testConnection(""),
    () => client.admin.semantic.entity(""),
    () => client.admin.pluginHealth(""),
  ]) {
    await assert.rejects(fn(), TypeError);
  }
  assert.equal(seen.length, 0);
});
