/** widget.js: the loader as one small script (IIFE), next to the app in dist/. */
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: false,
    lib: {
      entry: "src/loader/index.ts",
      formats: ["iife"],
      name: "AtlasWidgetLoader",
      fileName: () => "widget.js",
    },
  },
});
