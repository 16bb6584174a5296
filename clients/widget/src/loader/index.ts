/** widget.js: the script-tag loader. It adds a chat bubble and a panel holding the `/widget`
 * iframe, and exposes `window.Atlas`. Calls made before it loaded (`window.Atlas = [["open"],
 * ["ask", "..."]]`) and before the iframe is ready are queued and replayed in order. */

import type { HostMessage, Theme } from "../protocol";
import { parseFrameMessage } from "../protocol";
import type { WidgetConfig } from "./config";
import { frameUrl, readConfig } from "./config";
import type { WidgetNodes } from "./dom";
import { buildNodes } from "./dom";

type EventName = "open" | "close" | "error" | "queryComplete";
type Handler = (detail: Record<string, unknown>) => void;

export interface AtlasWidget {
  open(): void;
  close(): void;
  toggle(): void;
  ask(question: string): void;
  destroy(): void;
  on(event: EventName, handler: Handler): void;
  setAuthToken(token: string): void;
  setTheme(theme: Theme): void;
}

type Command = [keyof AtlasWidget, ...unknown[]];

declare global {
  interface Window {
    Atlas?: AtlasWidget | Command[];
  }
}

class Widget implements AtlasWidget {
  private ready = false;
  private opened = false;
  private pending: HostMessage[] = [];
  private handlers = new Map<EventName, Set<Handler>>();
  private nodes: WidgetNodes;
  private token: string | undefined;
  private theme: Theme;

  constructor(private config: WidgetConfig) {
    this.token = config.apiKey;
    this.theme = config.theme;
    this.nodes = buildNodes(config, frameUrl(config));
    this.applyTheme();
    this.nodes.bubble.addEventListener("click", () => this.toggle());
    window.addEventListener("message", this.onMessage);
    document.addEventListener("keydown", this.onKeyDown);
    document.body.append(this.nodes.host);
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    const { panel, bubble, frame } = this.nodes;
    panel.hidden = false;
    requestAnimationFrame(() => panel.classList.add("open"));
    bubble.setAttribute("aria-expanded", "true");
    bubble.setAttribute("aria-label", "Close Atlas chat");
    frame.focus();
    this.post({ type: "focus" });
    this.emit("open", {});
  }

  close(): void {
    if (!this.opened) return;
    this.opened = false;
    const { panel, bubble } = this.nodes;
    panel.classList.remove("open");
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-label", "Open Atlas chat");
    bubble.focus();
    this.emit("close", {});
  }

  toggle(): void {
    if (this.opened) this.close();
    else this.open();
  }

  ask(question: string): void {
    if (typeof question !== "string" || !question.trim()) return;
    this.open();
    this.post({ type: "atlas:ask", query: question.trim() });
  }

  destroy(): void {
    window.removeEventListener("message", this.onMessage);
    document.removeEventListener("keydown", this.onKeyDown);
    this.nodes.host.remove();
    this.handlers.clear();
    this.pending = [];
    if (window.Atlas === this) delete window.Atlas;
  }

  on(event: EventName, handler: Handler): void {
    if (typeof handler !== "function") return;
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler);
    this.handlers.set(event, set);
  }

  setAuthToken(token: string): void {
    if (typeof token !== "string" || !token) return;
    this.token = token;
    this.post({ type: "auth", token });
  }

  setTheme(theme: Theme): void {
    if (theme !== "light" && theme !== "dark" && theme !== "system") return;
    this.theme = theme;
    this.applyTheme();
    this.post({ type: "theme", value: theme });
  }

  private applyTheme(): void {
    const dark =
      this.theme === "dark" ||
      (this.theme === "system" && window.matchMedia?.("(prefers-color-scheme: dark)").matches);
    this.nodes.panel.classList.toggle("dark", dark);
  }

  /** To the iframe, addressed to the gateway's exact origin; queued until it is ready. */
  private post(message: HostMessage): void {
    if (!this.ready) {
      this.pending.push(message);
      return;
    }
    this.nodes.frame.contentWindow?.postMessage(message, this.config.apiOrigin);
  }

  private onMessage = (event: MessageEvent): void => {
    if (event.origin !== this.config.apiOrigin || event.source !== this.nodes.frame.contentWindow)
      return;
    const message = parseFrameMessage(event.data);
    if (!message) return;
    if (message.type === "atlas:ready") this.onReady();
    else if (message.type === "atlas:close") this.close();
    else if (message.type === "atlas:error")
      this.emit("error", { code: message.code, message: message.message });
    else this.emit("queryComplete", {});
  };

  private onReady(): void {
    this.ready = true;
    const queued = this.pending;
    this.pending = [];
    this.post({ type: "atlas:init", token: this.token, theme: this.theme });
    for (const message of queued) {
      if (message.type !== "auth" && message.type !== "theme") this.post(message);
    }
  }

  private onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === "Escape" && this.opened) this.close();
  };

  private emit(event: EventName, detail: Record<string, unknown>): void {
    for (const handler of this.handlers.get(event) ?? []) safely(handler, detail);
    const name = {
      open: this.config.onOpen,
      close: this.config.onClose,
      error: this.config.onError,
    }[event as "open" | "close" | "error"];
    const global = name ? (window as unknown as Record<string, unknown>)[name] : undefined;
    if (typeof global === "function") safely(global as Handler, detail);
  }
}

function safely(handler: Handler, detail: Record<string, unknown>): void {
  try {
    handler(detail);
  } catch (error) {
    console.warn("Atlas widget: an event handler threw", error);
  }
}

function replay(widget: AtlasWidget, queue: unknown): void {
  if (!Array.isArray(queue)) return;
  for (const entry of queue) {
    if (!Array.isArray(entry)) continue;
    const [method, ...args] = entry as Command;
    const fn = widget[method] as ((...a: unknown[]) => void) | undefined;
    if (typeof fn === "function") fn.apply(widget, args);
  }
}

function start(script: HTMLScriptElement): void {
  const queue = window.Atlas;
  if (queue && !Array.isArray(queue)) return; // already loaded once on this page
  const widget = new Widget(readConfig(script));
  window.Atlas = widget;
  replay(widget, queue);
}

const script = document.currentScript as HTMLScriptElement | null;
if (script) {
  if (document.body) start(script);
  else document.addEventListener("DOMContentLoaded", () => start(script), { once: true });
}
