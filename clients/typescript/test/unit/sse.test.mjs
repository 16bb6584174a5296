// The SSE parser: frames come out whole whatever the chunking of the bytes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { frameKey, parseSSE, SSEParser } from "../../dist/index.js";

const TEXT =
  'id: 0-0\ndata: {"type":"start"}\n\n: a comment\nid: 1-0\ndata: a\ndata: b\n\ndata: [DONE]\n\n';

function feedAll(chunks) {
  const parser = new SSEParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

test("frames, multi-line data, comments skipped", () => {
  assert.deepEqual(feedAll([TEXT]), [
    { id: "0-0", data: '{"type":"start"}' },
    { id: "1-0", data: "a\nb" },
    { id: undefined, data: "[DONE]" },
  ]);
});

test("any split point gives the same frames, CRLF too", () => {
  for (const text of [TEXT, TEXT.replaceAll("\n", "\r\n")]) {
    const whole = feedAll([text]);
    for (let i = 0; i <= text.length; i++) {
      assert.deepEqual(feedAll([text.slice(0, i), text.slice(i)]), whole, `split at ${i}`);
    }
  }
});

test("parseSSE reads a body, a last frame without its blank line included", async () => {
  const body = new Blob(["id: 3-1\ndata: x\n\nid: 4-0\ndata: y"]).stream();
  const frames = [];
  for await (const frame of parseSSE(body)) frames.push(frame);
  assert.deepEqual(frames, [
    { id: "3-1", data: "x" },
    { id: "4-0", data: "y" },
  ]);
});

test("frame keys order Atlas ids; other ids have none", () => {
  assert.deepEqual(frameKey("12-3"), [12, 3]);
  assert.equal(frameKey("abc"), undefined);
  assert.equal(frameKey(undefined), undefined);
});

test("parseSSE with idleMs: a body silent that long fails, so the caller can resume", async () => {
  let cancelled = false;
  const silent = new ReadableStream({
    pull: () => new Promise(() => undefined),
    cancel: () => {
      cancelled = true;
    },
  });
  await assert.rejects(async () => {
    for await (const _ of parseSSE(silent, { idleMs: 50 })) assert.fail("no frame expected");
  }, /no data for 50 ms/);
  assert.equal(cancelled, true);
});
