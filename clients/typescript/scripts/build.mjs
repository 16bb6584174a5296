// Build: esbuild bundles src/index.ts into one ESM file (no runtime dependencies to leave
// external), then tsc writes the .d.ts files beside it. dist/ is rebuilt from scratch.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  entryPoints: [join(root, "src/index.ts")],
  outfile: join(root, "dist/index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
});
execFileSync(process.execPath, [tscPath(), "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});

function tscPath() {
  return fileURLToPath(import.meta.resolve("typescript/bin/tsc"));
}
