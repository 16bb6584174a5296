// The README's three examples, verbatim, run by node against the running stack.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const SDK = new URL("../../", import.meta.url).pathname;
const README = readFileSync(join(SDK, "README.md"), "utf8");
const EXAMPLES = Object.fromEntries(
  [...README.matchAll(/<!-- example: (\w+) -->\n```js\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]),
);
// Under the repo's node_modules, `@useatlas/sdk` resolves to this workspace, as after an install.
const DIR = join(SDK, "../../node_modules/.cache");
mkdirSync(DIR, { recursive: true });

async function runExample(name) {
  const dir = mkdtempSync(join(DIR, "readme-"));
  try {
    writeFileSync(join(dir, "example.mjs"), EXAMPLES[name]);
    const { stdout } = await run(process.execPath, [join(dir, "example.mjs")], {
      env: process.env,
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the README has the three examples", () => {
  assert.deepEqual(Object.keys(EXAMPLES), ["query", "stream", "conversations"]);
});

test("example: query", async () => {
  const out = await runExample("query");
  assert.match(out, /SELECT/);
  assert.match(out, /columns/);
});

test("example: stream", async () => {
  const out = await runExample("stream");
  assert.match(out, /SQL: SELECT/);
  assert.match(out, /\(stop\)\n$/);
});

test("example: conversations", async () => {
  const out = await runExample("conversations");
  assert.match(out, /^\d+ conversations\n/);
  assert.match(out, /\d+ messages/);
});
