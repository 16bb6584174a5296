// The package as published: `npm pack`, installed into a fresh app outside the repo, imported
// by name and used against the running stack.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const SDK = new URL("../../", import.meta.url).pathname;
const APP = `
import Atlas, { AtlasError, createAtlasClient } from "@useatlas/sdk";
const atlas = new Atlas({ baseUrl: process.env.ATLAS_URL, apiKey: process.env.ATLAS_API_KEY });
const { tables } = await atlas.listTables();
const same = createAtlasClient({ baseUrl: process.env.ATLAS_URL, apiKey: process.env.ATLAS_API_KEY });
const error = await same.query("").catch((e) => e);
console.log(JSON.stringify({ tables: tables.length, atlasError: error instanceof AtlasError, code: error.code }));
`;

test("npm pack -> install in a fresh app -> import and call", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atlas-sdk-pack-"));
  try {
    const { stdout: packed } = await run("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: SDK,
    });
    const [{ filename, files }] = JSON.parse(packed);
    const paths = files.map((f) => f.path);
    assert.ok(paths.includes("dist/index.js") && paths.includes("dist/index.d.ts"), paths.join());
    assert.ok(paths.includes("README.md"));
    assert.ok(!paths.some((p) => p.startsWith("src/") || p.startsWith("test/")), paths.join());
    writeFileSync(join(dir, "package.json"), '{"name":"app","private":true,"type":"module"}');
    await run("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, filename)], {
      cwd: dir,
    });
    writeFileSync(join(dir, "app.mjs"), APP);
    const { stdout } = await run(process.execPath, ["app.mjs"], { cwd: dir, env: process.env });
    const out = JSON.parse(stdout);
    assert.ok(out.tables >= 1);
    assert.deepEqual([out.atlasError, out.code], [true, "validation_error"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
