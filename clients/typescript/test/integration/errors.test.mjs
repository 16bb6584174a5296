// Bad input and failures: each an AtlasError with the gateway's stable code; what is retried.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AtlasError, createAtlasClient } from "../../dist/index.js";
import {
  adminFetch,
  client,
  countingFetch,
  LIMITED_URL,
  QUESTION,
  rejectsWith,
  URL,
  waitFor,
} from "./helpers.mjs";

test("an empty question: validation_error, asked once", async () => {
  const fetch = countingFetch();
  await rejectsWith(client({ fetch }).query(""), "validation_error", 422);
  assert.equal(fetch.calls.length, 1, "a 4xx is not retried");
});

test("a question over the size limit: validation_error", async () => {
  await rejectsWith(client().query("x".repeat(5000)), "validation_error", 422);
});

test("a malformed conversation id: invalid_request", async () => {
  await rejectsWith(client().conversations.get("not a valid id!"), "invalid_request", 400);
});

test("an unknown share token: not_found", async () => {
  await rejectsWith(client().conversations.getShared("no-such-token-0123456789"), "not_found", 404);
});

test("a revoked key: auth_error", async () => {
  const made = await adminFetch("/api/auth/api-key/create", { name: "to-revoke" });
  const atlas = createAtlasClient({ baseUrl: URL, apiKey: made.key });
  await atlas.listTables();
  await adminFetch("/api/auth/api-key/delete", { keyId: made.id });
  const error = await waitFor(
    () =>
      atlas.listTables().then(
        () => null,
        (e) => e,
      ),
    { what: "the revoked key refused" },
  );
  assert.ok(error instanceof AtlasError);
  assert.equal(error.code, "auth_error");
  assert.equal(error.status, 401);
  assert.match(error.requestId, /\S/);
});

test("no gateway there: AtlasError network, not a TypeError, not retried", async () => {
  const fetch = countingFetch();
  const atlas = createAtlasClient({ baseUrl: "http://127.0.0.1:9", apiKey: "k", fetch });
  await rejectsWith(atlas.query(QUESTION), "network", 0);
  assert.equal(fetch.calls.length, 1);
});

test("timeoutMs: a call without an answer in time is AtlasError timeout", async () => {
  await rejectsWith(client({ timeoutMs: 1 }).query(QUESTION), "timeout", 0);
});

test("429: rate_limited with Retry-After, retried up to maxRetries honouring it", async () => {
  assert.ok(LIMITED_URL, "ATLAS_LIMITED_URL (a gateway limited to 1 request a minute)");
  const limited = (options) => client({ baseUrl: LIMITED_URL, ...options });
  await limited({ maxRetries: 0 }).listTables(); // the minute's one request
  const fetch = countingFetch();
  const error = await limited({ maxRetries: 0, fetch })
    .listTables()
    .catch((e) => e);
  assert.ok(error instanceof AtlasError);
  assert.deepEqual([error.code, error.status, error.retryable], ["rate_limited", 429, true]);
  assert.ok(
    error.retryAfterSeconds >= 1 && error.retryAfterSeconds <= 60,
    `${error.retryAfterSeconds}`,
  );
  assert.equal(fetch.calls.length, 1);

  // The gateway's Retry-After is up to a minute; a fetch that shortens it to 0.3 s (header
  // and body of the real 429) shows the SDK waits that long between its tries.
  const times = [];
  const shortened = async (input, init) => {
    times.push(performance.now());
    const res = await globalThis.fetch(input, init);
    if (res.status !== 429) return res;
    const body = { ...(await res.json()), retryAfterSeconds: 0.3 };
    const headers = new Headers(res.headers);
    headers.set("retry-after", "0.3");
    return new Response(JSON.stringify(body), { status: 429, headers });
  };
  await rejectsWith(limited({ maxRetries: 2, fetch: shortened }).listTables(), "rate_limited", 429);
  assert.equal(times.length, 3, "one try and two retries");
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 290, `${times}`);
});
