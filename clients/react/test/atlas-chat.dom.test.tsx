// @vitest-environment happy-dom
/** `AtlasProvider` + `AtlasChat` mounted with `createRoot` (effects, the AI SDK's `useChat`,
 * refs, DOM events), answering from a recorded gateway stream that a loopback HTTP server
 * replays the way the gateway serves it. Run under React 18 and 19 like every test here. */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRef } from "react";
import type { Root } from "react-dom/client";
import { createRoot } from "react-dom/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { AtlasChatHandle } from "../src/components/atlas-chat";
import { AtlasChat } from "../src/components/atlas-chat";
import { AtlasProvider } from "../src/context";

const QUESTION = "How many users signed up last week?";
const ANSWER = "188 signups last week";
const KEY = "atlas_sk_test_react_versions";
// A path, not a URL object: happy-dom replaces the global `URL`.
const HERE = dirname(fileURLToPath(import.meta.url));
const SSE = readFileSync(join(HERE, "fixtures", "signups.sse"), "utf8");
const RECORDED_ID = /"messageId":"([^"]+)"/.exec(SSE)?.[1] ?? "";

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

const seen: Seen[] = [];
const server = createServer(route);
let apiUrl = "";
let root: Root;
const host = document.createElement("div");
const chat = createRef<AtlasChatHandle>();

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The page's origin differs from the server's, so the browser side checks CORS as it would.
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-headers", "authorization, content-type");
  res.setHeader("access-control-allow-methods", "GET, POST");
  const path = req.url ?? "";
  if (req.method === "OPTIONS") return void res.writeHead(204).end();
  const body = await readBody(req);
  seen.push({ method: req.method ?? "", path, authorization: req.headers.authorization, body });
  if (path.startsWith("/api/v1/starter-prompts")) {
    res.writeHead(200, { "content-type": "application/json" });
    return void res.end(JSON.stringify({ prompts: [{ text: QUESTION }] }));
  }
  if (req.method === "POST" && path === "/api/v1/chat") {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "x-vercel-ai-ui-message-stream": "v1",
    });
    // A new message id per run, as the gateway gives: the recording carries one.
    return void res.end(SSE.replaceAll(RECORDED_ID, `msg${chatPosts().length}`));
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "not_found", message: `no route ${path}` }));
}

/** Polls the mounted chat's text (React commits asynchronously), bounded below the test's timeout. */
async function textShows(fragment: string): Promise<void> {
  await expect.poll(() => host.textContent ?? "", { timeout: 4000 }).toContain(fragment);
}

function chatPosts(): Seen[] {
  return seen.filter((s) => s.method === "POST" && s.path === "/api/v1/chat");
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  document.body.append(host);
  root = createRoot(host);
  root.render(
    <AtlasProvider apiUrl={apiUrl} apiKey={KEY}>
      <AtlasChat ref={chat} />
    </AtlasProvider>,
  );
});

afterAll(async () => {
  root.unmount();
  host.remove();
  await new Promise((resolve) => server.close(resolve));
});

describe(`AtlasChat in a DOM, React ${process.env.ATLAS_TEST_REACT_MAJOR}`, () => {
  it("shows the gateway's starter prompts while empty", async () => {
    await textShows(QUESTION);
    const prompts = seen.find((s) => s.path.startsWith("/api/v1/starter-prompts"));
    expect(prompts?.authorization).toBe(`Bearer ${KEY}`);
  });

  it("asks from a starter chip and renders the streamed answer with its SQL card", async () => {
    const chip = [...host.querySelectorAll<HTMLButtonElement>("button.atlas-chip")].find(
      (b) => b.textContent === QUESTION,
    );
    expect(chip).toBeDefined();
    chip?.click();
    await textShows(ANSWER);
    expect(host.textContent).toContain("Show SQL");
    expect(host.querySelector(".atlas-chips[aria-label='Starter prompts']")).toBeNull();
    const [post] = chatPosts();
    expect(post?.authorization).toBe(`Bearer ${KEY}`);
    expect(post?.body).toContain(QUESTION);
    expect(host.querySelector("button[type='submit']")?.textContent).toBe("Send");
  });

  it("asks a follow-up through the ref handle in the same chat", async () => {
    // React 18 drops a `ref` given to a component that does not forward it (19 passes it on).
    expect(chat.current?.ask).toBeTypeOf("function");
    chat.current?.ask("And the week before?");
    await expect.poll(() => chatPosts().length, { timeout: 4000 }).toBe(2);
    await expect.poll(() => host.textContent?.split(ANSWER).length ?? 0, { timeout: 4000 }).toBe(3);
    const [first, second] = chatPosts().map((p) => JSON.parse(p.body) as { id?: string });
    expect(second?.id).toBe(first?.id);
    expect(chatPosts()[1]?.body).toContain("And the week before?");
  });
});
