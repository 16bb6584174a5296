/** The iframe app (`widget.html`, served at /widget) and the chat page (`index.html`, served
 * at /): hashed assets under /widget/assets/, the React package compiled from its source. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const reactSrc = fileURLToPath(new URL("../react/src/", import.meta.url));

export default defineConfig({
  base: "/widget/",
  resolve: {
    alias: [
      { find: "@useatlas/react/styles.css", replacement: `${reactSrc}styles.css` },
      { find: /^@useatlas\/react$/, replacement: `${reactSrc}index.ts` },
    ],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The budget that matters is gzipped (250 KB, checked by tests/widget); raw, the app is ~700 KB.
    chunkSizeWarningLimit: 800,
    rolldownOptions: { input: { widget: "widget.html", index: "index.html" } },
  },
  test: { include: ["test/**/*.test.ts"] },
});
