// Recorded real streams (tests/fixtures/streams/*.sse, recorded from a running stack) decode
// to the expected typed events (*.events.json), whatever the chunking. The same recordings
// are checked against the Python union in tests/clients/typescript/test_stream_recordings.py.
// UPDATE_GOLDEN=1 rewrites the *.events.json files (review the diff).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DONE, SSEParser, toStreamEvents } from "../../dist/index.js";

const DIR = new URL("../../../../tests/fixtures/streams/", import.meta.url).pathname;
const NAMES = readdirSync(DIR)
  .filter((n) => n.endsWith(".sse"))
  .map((n) => n.slice(0, -4));

function decode(text, chunkSize) {
  const parser = new SSEParser();
  const frames = [];
  for (let i = 0; i < text.length; i += chunkSize)
    frames.push(...parser.feed(text.slice(i, i + chunkSize)));
  const chunks = frames.filter((f) => f.data !== DONE).map((f) => JSON.parse(f.data));
  // The AtlasError of an error event is not JSON: compare its fields instead.
  return toStreamEvents(chunks, "conv-1").map(({ error, ...event }) => event);
}

const text = (events) =>
  events
    .filter((e) => e.type === "text")
    .map((e) => e.content)
    .join("");

test("there are recordings", () => assert.ok(NAMES.length >= 4, NAMES.join()));

for (const name of NAMES) {
  test(`recording ${name}`, () => {
    const text = readFileSync(join(DIR, `${name}.sse`), "utf8");
    const events = decode(text, text.length);
    const golden = join(DIR, `${name}.events.json`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, `${JSON.stringify(events, null, 2)}\n`);
    assert.deepEqual(events, JSON.parse(readFileSync(golden, "utf8")));
    for (const size of [1, 7, 64])
      assert.deepEqual(decode(text, size), events, `chunks of ${size}`);
    assert.equal(events.at(-1).type, "finish");
  });
}

test("finish reasons: stop (an answer), stopped (a stop), error (a deadline passed)", () => {
  const last = (name) => decode(readFileSync(join(DIR, `${name}.sse`), "utf8"), 1e9).at(-1);
  assert.equal(last("stopped").reason, "stopped");
  assert.equal(last("answer").reason, "stop");
  assert.equal(last("timeout").reason, "error");
});

test("a redelivered answer: restart, then the whole answer again in a new text part", () => {
  const events = decode(readFileSync(join(DIR, "restart.sse"), "utf8"), 1e9);
  const at = events.findIndex((e) => e.type === "restart");
  const before = events.slice(0, at).filter((e) => e.type === "text");
  const after = events.slice(at).filter((e) => e.type === "text");
  assert.ok(before.length > 0 && after.length > before.length);
  assert.notEqual(after[0].id, before[0].id);
  const whole = decode(readFileSync(join(DIR, "cannot-answer.sse"), "utf8"), 1e9);
  assert.equal(after.map((e) => e.content).join(""), text(whole));
});
