/**
 * Server-sent events, without I/O policy: bytes -> frames `{id, data}`.
 *
 * Atlas sends `id: {seq}-{n}` and `data: {json}` per frame (the AI SDK UI message stream,
 * protocol v1) and ends with `data: [DONE]`. Ids grow strictly, which is what makes a resume
 * with `Last-Event-ID` exact: a frame whose id is not above the last one seen is a repeat.
 */

export interface SSEFrame {
  /** The frame's `id:` (e.g. `"12-0"`), or undefined when it had none. */
  id: string | undefined;
  /** The frame's `data:` lines joined by `\n`. */
  data: string;
}

export const DONE = "[DONE]";

/** Incremental parser: feed text chunks, take complete frames. Comments are skipped. */
export class SSEParser {
  private buffer = "";
  private id: string | undefined;
  private data: string[] = [];

  /** Frames completed by this chunk of text. */
  feed(chunk: string): SSEFrame[] {
    this.buffer += chunk;
    const frames: SSEFrame[] = [];
    let end = this.buffer.search(/\r\n|\n|\r(?=[^\n])/);
    while (end >= 0) {
      const line = this.buffer.slice(0, end);
      const width = this.buffer.startsWith("\r\n", end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + width);
      const frame = this.line(line);
      if (frame) frames.push(frame);
      end = this.buffer.search(/\r\n|\n|\r(?=[^\n])/);
    }
    return frames;
  }

  private line(line: string): SSEFrame | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") this.data.push(value);
    else if (name === "id" && !value.includes("\0")) this.id = value;
    return undefined;
  }

  private dispatch(): SSEFrame | undefined {
    if (this.data.length === 0) return undefined;
    const frame = { id: this.id, data: this.data.join("\n") };
    this.id = undefined;
    this.data = [];
    return frame;
  }
}

export interface ParseSSEOptions {
  /** Fail when no byte arrives for this long (Atlas pings a live stream every 15 s). */
  idleMs?: number;
}

/** Read a response body as SSE frames (ends when the body ends). */
export async function* parseSSE(
  body: ReadableStream<Uint8Array>,
  options: ParseSSEOptions = {},
): AsyncGenerator<SSEFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SSEParser();
  try {
    for (;;) {
      const { done, value } = await readWithin(reader, options.idleMs);
      if (done) break;
      yield* parser.feed(decoder.decode(value, { stream: true }));
    }
    yield* parser.feed(`${decoder.decode()}\n\n`);
  } finally {
    // Not awaited: after [DONE] the caller should not wait for the socket's teardown.
    reader.releaseLock();
    body.cancel().catch(() => undefined);
  }
}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleMs: number | undefined,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (!idleMs) return reader.read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no data for ${idleMs} ms`)), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } catch (error) {
    await reader.cancel(error).catch(() => undefined); // settles the pending read
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** `"12-3"` -> `[12, 3]`; undefined for an id that is not Atlas's. */
export function frameKey(id: string | undefined): [number, number] | undefined {
  const match = id === undefined ? null : /^(\d+)-(\d+)$/.exec(id.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Whether frame key `a` comes after `b`. */
export function isAfter(a: [number, number], b: [number, number] | undefined): boolean {
  return b === undefined || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}
