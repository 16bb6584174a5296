/** The console (`index.html`, served at /admin and /admin/{page}): hashed assets under
 * /admin/assets/, the React package and the SDK compiled from their source. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const reactSrc = fileURLToPath(new URL("../react/src/", import.meta.url));
const sdkSrc = fileURLToPath(new URL("../typescript/src/", import.meta.url));

export default defineConfig({
  base: "/admin/",
  resolve: {
    alias: [
      { find: "@useatlas/react/styles.css", replacement: `${reactSrc}styles.css` },
      { find: /^@useatlas\/react$/, replacement: `${reactSrc}index.ts` },
      { find: /^@useatlas\/sdk$/, replacement: `${sdkSrc}index.ts` },
    ],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
  test: { include: ["test/**/*.test.ts", "src/**/*.test.ts"] },
});
