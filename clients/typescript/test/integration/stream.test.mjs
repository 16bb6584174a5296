// streamQuery against the running stack: typed events, resume after a real cut, stop, abort.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  client,
  collect,
  cuttingFetch,
  LONG_QUESTION,
  QUESTION,
  rejectsWith,
  text,
  URL,
  waitFor,
} from "./helpers.mjs";

const shape = (events) => events.map((e) => e.type);
const sql = (events) => events.filter((e) => e.type === "tool-call").map((e) => e.args.sql);

test("typed events: SQL, rows, text, finish with the conversation id", async () => {
  const stream = client().streamQuery(QUESTION);
  const events = await collect(stream);
  const types = shape(events);
  for (const type of ["status", "tool-call", "tool-result", "result", "text", "usage"]) {
    assert.ok(types.includes(type), `${type} in ${types}`);
  }
  const finish = events.at(-1);
  assert.equal(finish.type, "finish");
  assert.equal(finish.reason, "stop");
  assert.match(finish.conversationId, /\S/);
  assert.equal(finish.conversationId, stream.conversationId);
  assert.match(sql(events)[0], /^SELECT/i);
  const rows = events.find((e) => e.type === "result");
  assert.deepEqual(Object.keys(rows.rows[0]), rows.columns);
  assert.match(text(events), /\d/);
  assert.equal(stream.resumes, 0);
});

test("a connection cut twice mid-answer is resumed: every event once, none missing", async () => {
  const whole = await collect(client().streamQuery(LONG_QUESTION));
  const fetch = cuttingFetch({ cuts: 2, frames: 8 });
  const stream = client({ fetch }).streamQuery(LONG_QUESTION);
  const events = await collect(stream);
  assert.equal(fetch.cut, 2);
  assert.equal(stream.resumes, 2);
  assert.deepEqual(shape(events), shape(whole));
  assert.equal(text(events), text(whole));
  assert.ok(text(whole).length > 100, "a long answer, cut in its middle");
  assert.equal(events.at(-1).reason, "stop");
});

test("stop() ends the run on the server: finish reason stopped, the answer cut short", async () => {
  const whole = text(await collect(client().streamQuery(LONG_QUESTION)));
  const stream = client().streamQuery(LONG_QUESTION);
  const events = [];
  for await (const event of stream) {
    events.push(event);
    if (event.type === "text") await stream.stop();
  }
  assert.equal(events.at(-1).reason, "stopped");
  assert.ok(events.some((e) => e.type === "status" && e.stage === "stopped"));
  assert.ok(text(events).length < whole.length, "stopped before the end");
});

test("aborting the signal rejects the loop and stops the run on the server", async () => {
  const answered = [];
  const fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    answered.push([init?.method ?? "GET", String(input), res.status, res.clone()]);
    return res;
  };
  const controller = new AbortController();
  const stream = client({ fetch }).streamQuery(LONG_QUESTION, { signal: controller.signal });
  await assert.rejects(async () => {
    for await (const event of stream) if (event.type === "text") controller.abort();
  }, /abort/i);
  const stop = await waitFor(() => answered.find(([, url]) => url.endsWith("/stop")), {
    what: "the SDK's stop request answered",
  });
  assert.deepEqual(stop.slice(0, 3), ["POST", `${URL}/api/v1/chat/${stream.requestId}/stop`, 200]);
  assert.equal((await stop[3].json()).stopped, true);
});

test("streamQuery continues a conversation given its conversationId", async () => {
  const atlas = client();
  const first = await atlas.query(QUESTION);
  const events = await collect(
    atlas.streamQuery(QUESTION, { conversationId: first.conversationId }),
  );
  assert.equal(events.at(-1).conversationId, first.conversationId);
});

test("chat() returns the raw AI SDK UI message stream", async () => {
  const message = { id: "m1", role: "user", parts: [{ type: "text", text: QUESTION }] };
  const res = await client().chat([message]);
  assert.equal(res.headers.get("x-vercel-ai-ui-message-stream"), "v1");
  const body = await res.text();
  assert.match(body, /^id: 0-0\ndata: \{"type":"start"/);
  assert.match(body, /data: \[DONE\]\n\n$/);
});

test("bad input to streamQuery rejects the loop with the gateway's code", async () => {
  await rejectsWith(collect(client().streamQuery("")), "validation_error", 422);
});

test("a run Atlas no longer holds: the stream ends with stream_lost, not a silent gap", async () => {
  // The first connection is cut; the resume asks for a run the gateway does not know (what a
  // resume finds once the replay buffer expired): a real 404 `not_found` from the gateway.
  const cutting = cuttingFetch({ cuts: 1, frames: 6 });
  const fetch = (input, init) =>
    cutting(String(input).replace(/\/chat\/[^/]+\/stream$/, "/chat/no-such-run/stream"), init);
  const events = await collect(client({ fetch }).streamQuery(LONG_QUESTION));
  const [error, finish] = events.slice(-2);
  assert.deepEqual([error.type, error.code, error.retryable], ["error", "stream_lost", true]);
  assert.deepEqual([finish.type, finish.reason], ["finish", "error"]);
});
