/** Where the example finds Atlas: `VITE_ATLAS_API_URL` / `VITE_ATLAS_API_KEY` at build time,
 * or `window.ATLAS_EXAMPLE` set by the page serving the build (the browser test does that). */

declare global {
  interface Window {
    ATLAS_EXAMPLE?: { apiUrl?: string; apiKey?: string };
  }
}

const env: Record<string, string | undefined> = import.meta.env;

export const API_URL =
  window.ATLAS_EXAMPLE?.apiUrl ?? env.VITE_ATLAS_API_URL ?? "http://127.0.0.1:8000";
export const API_KEY = window.ATLAS_EXAMPLE?.apiKey ?? env.VITE_ATLAS_API_KEY;
