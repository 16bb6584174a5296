/** Library build: one ES module, dependencies and React left to the app's bundler. */
import { copyFileSync } from "node:fs";
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
  test: { include: ["test/**/*.test.{ts,tsx}"] },
});
