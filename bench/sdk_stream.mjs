// The TypeScript SDK's stream: what it adds over the bytes, and how fast a cut stream resumes.
//
// Run: `make bench` (bench/sdk_stream.py starts a stack and runs this with ATLAS_URL), or
// `ATLAS_URL=... [ATLAS_API_KEY=...] node bench/sdk_stream.mjs` against a running gateway.
// Needs the SDK built (make install). BENCH_REQUESTS (default 100) streams per measure.
//
// 1. SDK vs raw fetch, same run: request -> first text and -> end, through streamQuery and
//    through a bare fetch + reader of the same question, alternating.
// 2. SDK overhead on the same stream: a tap under the SDK's fetch stamps when the bytes of the
//    first text-delta, of finish and of [DONE] arrive; overhead = the SDK's event (or the
//    loop's end) - that stamp.
//    Goal p95 <= 2 ms.
// 3. Resume: the connection is cut for real (the request aborted) after 10 frames; from the
//    SDK's resume request to the first resumed event. Goal p95 <= 100 ms.
import { createAtlasClient } from "../clients/typescript/dist/index.js";

const URL = process.env.ATLAS_URL;
const KEY = process.env.ATLAS_API_KEY;
const N = Number(process.env.BENCH_REQUESTS ?? 100);
const QUESTION = "How many users signed up last week?";
const LONG_QUESTION = "Why is the sky blue?";
const headers = {
  "content-type": "application/json",
  ...(KEY ? { authorization: `Bearer ${KEY}` } : {}),
};

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const line = (label, values, goal = "") =>
  console.log(
    `${label.padEnd(46)} p50=${pct(values, 50).toFixed(2).padStart(8)} ms  p95=${pct(values, 95).toFixed(2).padStart(8)} ms${goal}`,
  );

async function raw(question) {
  const started = performance.now();
  const body = { messages: [{ id: "m", role: "user", parts: [{ type: "text", text: question }] }] };
  const res = await fetch(`${URL}/api/v1/chat`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let first = 0;
  let seen = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen = (seen + decoder.decode(value, { stream: true })).slice(-64);
    if (!first && seen.includes('"type":"text-delta"')) first = performance.now() - started;
  }
  return [first, performance.now() - started];
}

/** A fetch that stamps the arrival of the first text-delta's bytes and of [DONE]'s. */
function tapFetch(stamps) {
  return async (input, init) => {
    const res = await fetch(input, init);
    const decoder = new TextDecoder();
    let seen = "";
    const tap = new TransformStream({
      transform(chunk, out) {
        seen = (seen + decoder.decode(chunk, { stream: true })).slice(-64);
        if (!stamps.text && seen.includes('"type":"text-delta"')) stamps.text = performance.now();
        if (!stamps.finish && seen.includes('"type":"finish"')) stamps.finish = performance.now();
        if (!stamps.done && seen.includes("[DONE]")) stamps.done = performance.now();
        out.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(tap), res);
  };
}

async function sdk(question) {
  const stamps = {};
  const atlas = createAtlasClient({ baseUrl: URL, apiKey: KEY, fetch: tapFetch(stamps) });
  const started = performance.now();
  let first = 0;
  let finish = 0;
  for await (const event of atlas.streamQuery(question)) {
    if (!first && event.type === "text") first = performance.now();
    if (event.type === "finish") finish = performance.now();
  }
  const end = performance.now();
  return {
    first: first - started,
    end: end - started,
    overFirst: first - stamps.text,
    overFinish: finish - stamps.finish,
    overEnd: end - stamps.done,
  };
}

/** A fetch whose first stream loses its connection after `frames` frames; stamps resumes. */
function cuttingFetch(frames, stamps) {
  let cut = false;
  return async (input, init = {}) => {
    const controller = new AbortController();
    if (String(input).endsWith("/stream")) stamps.reconnect = performance.now();
    const res = await fetch(input, { ...init, signal: controller.signal });
    if (cut || !res.headers.get("content-type")?.startsWith("text/event-stream")) return res;
    cut = true;
    const reader = res.body.getReader();
    let seen = 0;
    const body = new ReadableStream({
      async pull(out) {
        try {
          const { done, value } = await reader.read();
          if (done) return out.close();
          seen += new TextDecoder().decode(value).split("\n\n").length - 1;
          out.enqueue(value);
          if (seen >= frames) controller.abort(new Error("cut"));
        } catch (error) {
          out.error(error);
        }
      },
    });
    return new Response(body, res);
  };
}

async function resume() {
  const stamps = {};
  const atlas = createAtlasClient({ baseUrl: URL, apiKey: KEY, fetch: cuttingFetch(10, stamps) });
  const stream = atlas.streamQuery(LONG_QUESTION);
  let firstAfter = 0;
  for await (const _ of stream) {
    if (stamps.reconnect && !firstAfter) firstAfter = performance.now() - stamps.reconnect;
  }
  if (stream.resumes !== 1) throw new Error(`expected one resume, got ${stream.resumes}`);
  return firstAfter;
}

for (let i = 0; i < 10; i++) await Promise.all([raw(QUESTION), sdk(QUESTION)]); // warm-up
const raws = [];
const sdks = [];
for (let i = 0; i < N; i++) {
  raws.push(await raw(QUESTION));
  sdks.push(await sdk(QUESTION));
}
const resumes = [];
for (let i = 0; i < Math.max(10, Math.floor(N / 4)); i++) resumes.push(await resume());

console.log(`node ${process.version}, N=${N} streams each, "${QUESTION}"`);
line(
  "raw fetch: request -> first text-delta",
  raws.map((r) => r[0]),
);
line(
  "SDK streamQuery: request -> first text event",
  sdks.map((s) => s.first),
);
line(
  "raw fetch: request -> end of stream",
  raws.map((r) => r[1]),
);
line(
  "SDK streamQuery: request -> end of loop",
  sdks.map((s) => s.end),
);
line(
  "SDK overhead, first text (same stream)",
  sdks.map((s) => s.overFirst),
  "  (goal p95 <= 2 ms)",
);
line(
  "SDK overhead, finish event (same stream)",
  sdks.map((s) => s.overFinish),
  "  (goal p95 <= 2 ms)",
);
line(
  "SDK overhead, [DONE] -> end of loop (same stream)",
  sdks.map((s) => s.overEnd),
);
line(
  `resume: reconnect -> first resumed event (N=${resumes.length})`,
  resumes,
  "  (goal p95 <= 100 ms)",
);
