/** Recorded real streams (from a running gateway, `test/fixtures/*.sse`) turned into the
 * `UIMessage` the AI SDK builds from them. */
import { readFileSync } from "node:fs";
import type { UIMessage, UIMessageChunk } from "ai";
import { readUIMessageStream } from "ai";

export function sseChunks(name: string): UIMessageChunk[] {
  const text = readFileSync(new URL(`./fixtures/${name}.sse`, import.meta.url), "utf8");
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)) as UIMessageChunk);
}

export async function messageOf(name: string): Promise<UIMessage> {
  const chunks = sseChunks(name);
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream })) last = message;
  if (!last) throw new Error(`no message in ${name}`);
  return last;
}
