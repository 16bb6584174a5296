// client.scheduledTasks against the running stack (gateway -> scheduler -> worker): the whole
// life of a task, a run triggered now whose answer is a conversation and is delivered to a
// webhook receiver this test starts, and each refusal with its stable code.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { client, QUESTION, rejectsWith, waitFor } from "./helpers.mjs";

const hooks = [];
let receiver;
let hookUrl;

before(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      hooks.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
});

after(() => new Promise((resolve) => receiver.close(resolve)));

const NEVER = "0 0 1 1 *"; // once a year: only `trigger` runs it during the test

function webhookTask(name) {
  return {
    name,
    question: QUESTION,
    cronExpression: NEVER,
    timezone: "Europe/Paris",
    deliveryChannel: "webhook",
    recipients: [{ type: "webhook", url: hookUrl, headers: { "x-test": "sdk" } }],
  };
}

test("create, list, get, update, delete: upstream's shapes through the gateway", async () => {
  const tasks = client().scheduledTasks;
  const task = await tasks.create(webhookTask("sdk lifecycle"));
  assert.match(task.id, /\S/);
  assert.deepEqual(
    [task.name, task.cronExpression, task.timezone, task.deliveryChannel, task.enabled],
    ["sdk lifecycle", NEVER, "Europe/Paris", "webhook", true],
  );
  assert.deepEqual(task.recipients, webhookTask("").recipients);
  assert.ok(Date.parse(task.nextRunAt) > Date.now(), task.nextRunAt);
  assert.equal(task.lastRunAt, null);

  const { tasks: listed, total } = await tasks.list({ limit: 100 });
  assert.ok(total >= 1 && listed.some((t) => t.id === task.id));
  const detail = await tasks.get(task.id);
  assert.deepEqual(detail.recentRuns, []);
  assert.equal(detail.question, QUESTION);

  const paused = await tasks.update(task.id, { enabled: false, name: "sdk paused" });
  assert.deepEqual([paused.enabled, paused.name, paused.question], [false, "sdk paused", QUESTION]);
  const enabledOnly = await tasks.list({ enabled: true, limit: 100 });
  assert.ok(!enabledOnly.tasks.some((t) => t.id === task.id));
  await rejectsWith(tasks.trigger(task.id), "task_disabled", 409);

  assert.equal(await tasks.delete(task.id), true);
  await rejectsWith(tasks.get(task.id), "not_found", 404);
});

test("trigger: a run now, answered as a conversation and delivered to the webhook", async () => {
  const atlas = client();
  const task = await atlas.scheduledTasks.create(webhookTask("sdk trigger"));
  try {
    const started = await atlas.scheduledTasks.trigger(task.id);
    assert.equal(started.taskId, task.id);
    assert.match(started.runId, /\S/);
    const run = await waitFor(
      async () => {
        const { runs } = await atlas.scheduledTasks.listRuns(task.id, { limit: 5 });
        const found = runs.find((r) => r.id === started.runId);
        return found?.deliveryStatus === "sent" ? found : undefined;
      },
      { timeoutMs: 60000, what: "the run answered and delivered" },
    );
    assert.deepEqual([run.status, run.trigger, run.error], ["success", "manual", null]);
    const conversation = await atlas.conversations.get(run.conversationId);
    assert.equal(conversation.messages[0].content, QUESTION);
    const hook = hooks.find((h) => h.body.runId === run.id);
    assert.ok(hook, `no delivery for run ${run.id}: ${hooks.length} received`);
    assert.equal(hook.headers["x-test"], "sdk");
    assert.match(hook.headers["x-atlas-signature"], /^t=\d+,v1=[0-9a-f]{64}$/);
    const detail = await atlas.scheduledTasks.get(task.id);
    assert.equal(detail.recentRuns[0].id, run.id);
    assert.ok(detail.lastRunAt, "lastRunAt set by the run");
  } finally {
    await atlas.scheduledTasks.delete(task.id);
  }
});

test("refusals: invalid_cron, invalid_recipients, validation_error, not_found", async () => {
  const tasks = client().scheduledTasks;
  const base = webhookTask("sdk refused");
  await rejectsWith(tasks.create({ ...base, cronExpression: "every monday" }), "invalid_cron", 400);
  await rejectsWith(tasks.create({ ...base, timezone: "Mars/Olympus" }), "invalid_cron", 400);
  const email = [{ type: "email", address: "ops@example.com" }];
  await rejectsWith(tasks.create({ ...base, recipients: email }), "invalid_recipients", 400);
  await rejectsWith(tasks.create({ ...base, name: "" }), "validation_error", 422);
  await rejectsWith(tasks.get("00000000-0000-0000-0000-000000000000"), "not_found", 404);
  await rejectsWith(tasks.listRuns("no-such-task"), "not_found", 404);
});
