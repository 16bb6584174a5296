/** Starter prompts for an empty chat: the `starterPrompts` prop when given, else
 * `GET /api/v1/starter-prompts`; nothing (not an error) when the route is missing. */

import { useEffect, useState } from "react";

import { useAtlasContext } from "../context";
import { atlasFetch } from "../lib/api";

export function useStarterPrompts(override?: readonly string[], enabled = true): string[] {
  const { connection } = useAtlasContext();
  const [prompts, setPrompts] = useState<string[]>(override ? [...override] : []);
  useEffect(() => {
    if (override || !enabled) return;
    let live = true;
    atlasFetch<{ prompts: { text: string }[] }>(connection, "/api/v1/starter-prompts?limit=4")
      .then((r) => live && setPrompts((r?.prompts ?? []).map((p) => p.text)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [connection, override, enabled]);
  return override ? [...override] : prompts;
}
