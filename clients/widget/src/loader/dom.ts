/** The nodes the loader adds: one host element whose shadow root holds the bubble and the
 * panel (the host page's CSS cannot reach in, ours cannot leak out). */

import type { WidgetConfig } from "./config";

const CSS = `
:host { all: initial; }
.bubble, .panel { position: fixed; z-index: 2147483000; }
.bubble { bottom: 20px; width: 56px; height: 56px; border: 0; border-radius: 50%; cursor: pointer;
  background: var(--accent); color: #fff; box-shadow: 0 4px 16px rgba(15,23,42,.25);
  display: grid; place-items: center; padding: 0; }
.bubble:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; }
.bubble img { width: 30px; height: 30px; border-radius: 6px; }
.panel { bottom: 88px; width: min(400px, calc(100vw - 32px)); height: min(620px, calc(100vh - 112px));
  border-radius: 14px; overflow: hidden; box-shadow: 0 12px 40px rgba(15,23,42,.3); background: #fff;
  opacity: 0; transform: translateY(8px); transition: opacity .16s ease, transform .16s ease; }
.panel.dark { background: #0b1220; }
.panel[hidden] { display: none; }
.panel.open { opacity: 1; transform: none; }
.right { right: 20px; } .left { left: 20px; }
iframe { width: 100%; height: 100%; border: 0; display: block; }
@media (prefers-reduced-motion: reduce) { .panel { transition: none; transform: none; } }
`;

const ICON =
  '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';

export interface WidgetNodes {
  host: HTMLElement;
  bubble: HTMLButtonElement;
  panel: HTMLElement;
  frame: HTMLIFrameElement;
}

export function buildNodes(config: WidgetConfig, src: string): WidgetNodes {
  const host = document.createElement("div");
  host.setAttribute("data-atlas-widget", "");
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = CSS;
  const side = config.position === "bottom-left" ? "left" : "right";
  const bubble = document.createElement("button");
  bubble.type = "button";
  bubble.className = `bubble ${side}`;
  bubble.setAttribute("aria-label", "Open Atlas chat");
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "atlas-panel");
  bubble.innerHTML = ICON;
  if (config.logo) {
    const img = document.createElement("img");
    img.src = config.logo;
    img.alt = "";
    bubble.replaceChildren(img);
  }
  const panel = document.createElement("div");
  panel.id = "atlas-panel";
  panel.className = `panel ${side}`;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Atlas chat");
  panel.hidden = true;
  const frame = document.createElement("iframe");
  frame.title = "Atlas chat";
  frame.src = src;
  frame.allow = "clipboard-write";
  panel.append(frame);
  root.append(style, panel, bubble);
  host.style.setProperty("--accent", config.accent ? `#${config.accent}` : "#2563eb");
  return { host, bubble, panel, frame };
}
