// @vitest-environment happy-dom
/** A resume the gateway answers 404 (a run it no longer knows) is "nothing to resume", like
 * its 204: the hook settles ready with no error, so a reopened chat shows no error banner.
 * Run under React 18 and 19 like every test here. */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Root } from "react-dom/client";
import { createRoot } from "react-dom/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AtlasProvider } from "../src/context";
import { useAtlasChat } from "../src/hooks/use-atlas-chat";

const CHAT_ID = "gone-chat-1";
const requests: string[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-headers", "authorization, content-type");
  if (req.method === "OPTIONS") return void res.writeHead(204).end();
  requests.push(`${req.method} ${req.url}`);
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "not_found", message: "No run", requestId: "r1" }));
});
const host = document.createElement("div");
let root: Root;

function Probe() {
  const chat = useAtlasChat({ id: CHAT_ID, resume: true });
  return (
    <output>{chat.error ? `error:${chat.error.code ?? "?"}` : `status:${chat.status}`}</output>
  );
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  document.body.append(host);
  root = createRoot(host);
  root.render(
    <AtlasProvider apiUrl={apiUrl} apiKey="atlas_sk_test_resume">
      <Probe />
    </AtlasProvider>,
  );
});

afterAll(async () => {
  root.unmount();
  host.remove();
  await new Promise((resolve) => server.close(resolve));
});

describe(`useAtlasChat resume, React ${process.env.ATLAS_TEST_REACT_MAJOR}`, () => {
  it("treats a 404 on resume as nothing to resume, not an error", async () => {
    const resume = `GET /api/v1/chat/${CHAT_ID}/stream`;
    await expect.poll(() => requests, { timeout: 4000 }).toContain(resume);
    await expect.poll(() => host.textContent, { timeout: 4000 }).toBe("status:ready");
    expect(host.textContent).not.toContain("error");
  });
});
