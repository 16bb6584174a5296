/**
 * Library build: one ES module, dependencies and React left to the app's bundler.
 * Tests: every test file runs twice, as the project "react-19" (the workspace's React) and as
 * "react-18", where `react` and `react-dom` resolve to React 18 from @useatlas/react-18-env.
 */
import { copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { Alias } from "vite";
import { defineConfig } from "vitest/config";

const external = [
  /^react($|\/)/,
  /^react-dom($|\/)/,
  /^ai($|\/)/,
  /^@ai-sdk\//,
  /^chart\.js($|\/)/,
];

export default defineConfig({
  build: {
    lib: { entry: "src/index.ts", formats: ["es"], fileName: () => "index.js" },
    rolldownOptions: { external },
    sourcemap: true,
    emptyOutDir: true,
  },
  plugins: [
    {
      name: "atlas-copy-css",
      closeBundle: () => copyFileSync("src/styles.css", "dist/styles.css"),
    },
  ],
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    projects: [
      { extends: true, test: { name: "react-19", env: { ATLAS_TEST_REACT_MAJOR: "19" } } },
      {
        extends: true,
        resolve: { alias: react18Aliases() },
        test: {
          name: "react-18",
          env: { ATLAS_TEST_REACT_MAJOR: "18" },
          // Vite's aliases only reach modules it processes; these import `react` themselves.
          server: { deps: { inline: [/@ai-sdk\/react/, /\/swr\//] } },
        },
      },
    ],
  },
});

/** `react`, `react-dom` and their subpaths (jsx-runtime, client, server) -> React 18's files. */
function react18Aliases(): Alias[] {
  const env = createRequire(import.meta.url).resolve("@useatlas/react-18-env/package.json");
  const fromEnv = createRequire(env);
  return ["react", "react-dom"].flatMap((pkg) => {
    const dir = dirname(fromEnv.resolve(`${pkg}/package.json`));
    return [
      { find: new RegExp(`^${pkg}$`), replacement: dir },
      { find: new RegExp(`^${pkg}/(.*)$`), replacement: `${dir}/$1` },
    ];
  });
}
