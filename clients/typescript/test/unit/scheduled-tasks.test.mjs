// client.scheduledTasks on the wire: methods, paths, query strings and bodies as upstream's
// SDK sends them, answers returned as is, error envelopes as AtlasError. A local HTTP server
// records each request and answers what the test queued (the real gateway is in
// test/integration/scheduled-tasks.test.mjs).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { AtlasError, createAtlasClient } from "../../dist/index.js";

const TASK = {
  id: "t-1",
  ownerId: "u-1",
  orgId: null,
  name: "Weekly signups",
  question: "How many users signed up last week?",
  cronExpression: "0 9 * * 1",
  timezone: "UTC",
  deliveryChannel: "webhook",
  recipients: [{ type: "webhook", url: "https://example.com/hook" }],
  enabled: true,
  lastRunAt: null,
  nextRunAt: "2026-12-14T09:00:00Z",
  createdAt: "2026-12-07T10:00:00Z",
  updatedAt: "2026-12-07T10:00:00Z",
};
const RUN = {
  id: "r-1",
  taskId: "t-1",
  slotAt: "2026-12-07T10:00:00Z",
  trigger: "schedule",
  status: "success",
  error: null,
  deliveryStatus: "sent",
  deliveryError: null,
  conversationId: "c-1",
  tokensUsed: 12,
  startedAt: "2026-12-07T10:00:00Z",
  completedAt: "2026-12-07T10:00:02Z",
  createdAt: "2026-12-07T10:00:00Z",
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
      seen.at(-1).authorization = req.headers.authorization;
      const { status, json } = answers.shift() ?? { status: 500, json: { error: "unexpected" } };
      res.writeHead(status, json === undefined ? {} : { "content-type": "application/json" });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

function answer(status, json) {
  answers.push({ status, json });
}

async function call(fn) {
  seen.length = 0;
  const atlas = createAtlasClient({ baseUrl, apiKey: "sk-test", maxRetries: 0 });
  const result = await fn(atlas.scheduledTasks);
  return { result, request: seen[0] };
}

test("list: GET with limit, offset and enabled; the page as sent", async () => {
  answer(200, { tasks: [TASK], total: 1 });
  const { result, request } = await call((t) => t.list({ limit: 5, offset: 10, enabled: true }));
  assert.deepEqual(result, { tasks: [TASK], total: 1 });
  assert.equal(request.method, "GET");
  assert.equal(request.url, "/api/v1/scheduled-tasks?limit=5&offset=10&enabled=true");
  assert.equal(request.authorization, "Bearer sk-test");
  answer(200, { tasks: [], total: 0 });
  assert.equal((await call((t) => t.list())).request.url, "/api/v1/scheduled-tasks");
});

test("get: the id escaped into the path; the task with its recent runs", async () => {
  answer(200, { ...TASK, recentRuns: [RUN] });
  const { result, request } = await call((t) => t.get("a/b c"));
  assert.equal(request.url, "/api/v1/scheduled-tasks/a%2Fb%20c");
  assert.equal(result.recentRuns[0].conversationId, "c-1");
});

test("create: POST the camelCase body; update: PUT only the given fields", async () => {
  const input = {
    name: TASK.name,
    question: TASK.question,
    cronExpression: TASK.cronExpression,
    deliveryChannel: "email",
    recipients: [{ type: "email", address: "ops@example.com" }],
  };
  answer(201, { ...TASK, ...input });
  const created = await call((t) => t.create(input));
  assert.deepEqual(
    [created.request.method, created.request.url],
    ["POST", "/api/v1/scheduled-tasks"],
  );
  assert.deepEqual(created.request.body, input);
  assert.equal(created.result.deliveryChannel, "email");

  answer(200, { ...TASK, enabled: false });
  const updated = await call((t) => t.update("t-1", { enabled: false }));
  assert.deepEqual(
    [updated.request.method, updated.request.url],
    ["PUT", "/api/v1/scheduled-tasks/t-1"],
  );
  assert.deepEqual(updated.request.body, { enabled: false });
  assert.equal(updated.result.enabled, false);
});

test("delete: true on 200 or 204; trigger: POST .../run; listRuns: GET .../runs?limit", async () => {
  answer(200, { success: true });
  const deleted = await call((t) => t.delete("t-1"));
  assert.deepEqual([deleted.request.method, deleted.result], ["DELETE", true]);
  answer(204, undefined);
  assert.equal((await call((t) => t.delete("t-1"))).result, true);

  answer(202, { taskId: "t-1", runId: "r-2", message: "queued" });
  const triggered = await call((t) => t.trigger("t-1"));
  assert.deepEqual(
    [triggered.request.method, triggered.request.url],
    ["POST", "/api/v1/scheduled-tasks/t-1/run"],
  );
  assert.equal(triggered.result.runId, "r-2");

  answer(200, { runs: [RUN] });
  const runs = await call((t) => t.listRuns("t-1", { limit: 3 }));
  assert.equal(runs.request.url, "/api/v1/scheduled-tasks/t-1/runs?limit=3");
  assert.deepEqual(runs.result.runs, [RUN]);
});

test("error envelopes are AtlasErrors with the server's code and status", async () => {
  const cases = [
    [400, "invalid_cron", (t) => t.create({ name: "x", question: "q", cronExpression: "nope" })],
    [400, "invalid_recipients", (t) => t.update("t-1", { recipients: [] })],
    [404, "not_found", (t) => t.get("missing")],
    [409, "task_disabled", (t) => t.trigger("t-1")],
  ];
  for (const [status, code, fn] of cases) {
    answer(status, { error: code, message: `${code} here`, requestId: "req-1" });
    await assert.rejects(call(fn), (error) => {
      assert.ok(error instanceof AtlasError);
      assert.deepEqual(
        [error.code, error.status, error.requestId, error.retryable],
        [code, status, "req-1", false],
      );
      return true;
    });
  }
});

test("an empty id is refused before any request", async () => {
  for (const fn of [(t) => t.get(""), (t) => t.trigger(""), (t) => t.listRuns("")]) {
    await assert.rejects(call(fn), TypeError);
    assert.equal(seen.length, 0);
  }
});
