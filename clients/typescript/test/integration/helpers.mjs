// What the integration tests share: the stack's variables (set by
// tests/clients/typescript/conftest.py), clients, a fetch that cuts streams, polling.
import assert from "node:assert/strict";
import { AtlasError, createAtlasClient } from "../../dist/index.js";

export const URL = required("ATLAS_URL");
export const KEY = required("ATLAS_API_KEY");
export const LIMITED_URL = process.env.ATLAS_LIMITED_URL;
export const ADMIN_TOKEN = process.env.ATLAS_ADMIN_TOKEN;
export const QUESTION = "How many users signed up last week?";
/** The long "can't answer" text: many tokens, so a stream can be stopped mid-answer. */
export const LONG_QUESTION = "Why is the sky blue?";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through make test or set it`);
  return value;
}

export function client(options = {}) {
  return createAtlasClient({ baseUrl: URL, apiKey: KEY, ...options });
}

/** A fetch that counts its calls. */
export function countingFetch(inner = globalThis.fetch) {
  const counted = (input, init) => {
    counted.calls.push(String(input));
    return inner(input, init);
  };
  counted.calls = [];
  return counted;
}

/**
 * A fetch whose first `cuts` event-stream responses lose their connection for real after
 * `frames` whole frames: the underlying request is aborted, so the gateway sees the client
 * go. Every byte comes from the running gateway.
 */
export function cuttingFetch({ cuts, frames }) {
  let left = cuts;
  const cutting = async (input, init = {}) => {
    const controller = new AbortController();
    init.signal?.addEventListener("abort", () => controller.abort(init.signal.reason), {
      once: true,
    });
    const res = await globalThis.fetch(input, { ...init, signal: controller.signal });
    const isStream = res.headers.get("content-type")?.startsWith("text/event-stream");
    if (!isStream || left <= 0) return res;
    left -= 1;
    cutting.cut += 1;
    return new Response(cutAfter(res.body, frames, controller), res);
  };
  cutting.cut = 0;
  return cutting;
}

function cutAfter(body, frames, controller) {
  const reader = body.getReader();
  let seen = 0;
  return new ReadableStream({
    async pull(out) {
      try {
        const { done, value } = await reader.read();
        if (done) return out.close();
        seen += new TextDecoder().decode(value).split("\n\n").length - 1;
        out.enqueue(value);
        if (seen >= frames) controller.abort(new Error("connection cut by the test"));
      } catch (error) {
        out.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Collect a stream's events. */
export async function collect(stream) {
  const events = [];
  for await (const event of stream) events.push(event);
  return events;
}

export const text = (events) =>
  events
    .filter((e) => e.type === "text")
    .map((e) => e.content)
    .join("");

/** `promise` rejects with an AtlasError of `code` (and `status`, when given). */
export async function rejectsWith(promise, code, status) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof AtlasError, `not an AtlasError: ${error}`);
    assert.equal(error.code, code, error.message);
    if (status !== undefined) assert.equal(error.status, status);
    return true;
  });
}

/** Poll `predicate` until it is truthy; fail after `timeoutMs`. */
export async function waitFor(predicate, { timeoutMs = 15000, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await predicate();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

/** Make an API key with the admin's session (for the revoked-key test). */
export async function adminFetch(path, body) {
  const res = await fetch(URL + path, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}
