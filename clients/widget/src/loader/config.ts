/** The script tag's `data-*` attributes, read once and checked. */

import type { Theme } from "../protocol";
import { isTheme } from "../protocol";

export interface WidgetConfig {
  apiUrl: string;
  apiOrigin: string;
  apiKey?: string;
  theme: Theme;
  position: "bottom-right" | "bottom-left";
  accent?: string;
  logo?: string;
  starterPrompts?: string[];
  showBranding: boolean;
  onOpen?: string;
  onClose?: string;
  onError?: string;
}

function starterPrompts(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value)
      ? value.filter((v): v is string => typeof v === "string").slice(0, 8)
      : undefined;
  } catch {
    return undefined;
  }
}

function safeUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw, location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function readConfig(script: HTMLScriptElement): WidgetConfig {
  const d = script.dataset;
  const apiUrl = (d.apiUrl || new URL(script.src).origin).replace(/\/+$/, "");
  const accent = d.accent?.replace(/^#/, "");
  return {
    apiUrl,
    apiOrigin: new URL(apiUrl).origin,
    apiKey: d.apiKey || undefined,
    theme: isTheme(d.theme) ? d.theme : "light",
    position: d.position === "bottom-left" ? "bottom-left" : "bottom-right",
    accent: accent && /^[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(accent) ? accent : undefined,
    logo: safeUrl(d.logo),
    starterPrompts: starterPrompts(d.starterPrompts),
    showBranding: d.showBranding !== "false",
    onOpen: d.onOpen,
    onClose: d.onClose,
    onError: d.onError,
  };
}

/** The iframe's URL: display settings only (the key goes by postMessage). */
export function frameUrl(config: WidgetConfig): string {
  const params = new URLSearchParams({ host: location.origin, theme: config.theme });
  if (config.accent) params.set("accent", config.accent);
  if (config.logo) params.set("logo", config.logo);
  if (config.starterPrompts) params.set("starterPrompts", JSON.stringify(config.starterPrompts));
  if (!config.showBranding) params.set("showBranding", "false");
  return `${config.apiUrl}/widget?${params}`;
}
