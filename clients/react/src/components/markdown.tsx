/** A small, safe Markdown renderer for streamed answers: paragraphs, headings, lists, code
 * blocks, inline code, bold, italic and links (http/https/mailto only). It builds React
 * elements, never HTML strings, so nothing in an answer can inject markup. An unfinished
 * construct mid-stream (an open `**`) simply renders as text until it closes. */

import type { ReactNode } from "react";

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;
const SAFE_URL = /^(https?:|mailto:)/i;

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const match of text.matchAll(INLINE)) {
    const [token] = match;
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}-${n++}`;
    if (match[1]) out.push(<code key={k}>{token.slice(1, -1)}</code>);
    else if (match[2]) out.push(<strong key={k}>{inline(token.slice(2, -2), k)}</strong>);
    else if (match[3]) out.push(<em key={k}>{inline(token.slice(1, -1), k)}</em>);
    else out.push(link(token, k));
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function link(token: string, key: string): ReactNode {
  const split = token.indexOf("](");
  const label = token.slice(1, split);
  const href = token.slice(split + 2, -1);
  if (!SAFE_URL.test(href)) return label;
  return (
    <a key={key} href={href} target="_blank" rel="noopener noreferrer">
      {label}
    </a>
  );
}

type Block =
  | { kind: "code"; text: string }
  | { kind: "heading"; level: number; text: string }
  | { kind: "list"; ordered: boolean; items: string[] }
  | { kind: "paragraph"; text: string };

const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/;

export function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("```")) {
      const body: string[] = [];
      while (++i < lines.length && !(lines[i] ?? "").startsWith("```")) body.push(lines[i] ?? "");
      blocks.push({ kind: "code", text: body.join("\n") });
    } else if (/^#{1,6}\s/.test(line)) {
      const level = line.indexOf(" ");
      blocks.push({ kind: "heading", level, text: line.slice(level + 1) });
    } else if (LIST_ITEM.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      for (; i < lines.length && LIST_ITEM.test(lines[i] ?? ""); i++) {
        items.push((lines[i] ?? "").replace(LIST_ITEM, "$2"));
      }
      i--;
      blocks.push({ kind: "list", ordered, items });
    } else if (line.trim() !== "") {
      const previous = blocks[blocks.length - 1];
      if (previous?.kind === "paragraph" && lines[i - 1]?.trim()) previous.text += `\n${line}`;
      else blocks.push({ kind: "paragraph", text: line });
    }
  }
  return blocks;
}

function renderBlock(block: Block, key: string): ReactNode {
  switch (block.kind) {
    case "code":
      return (
        <pre key={key}>
          <code>{block.text}</code>
        </pre>
      );
    case "heading": {
      const Tag = `h${Math.min(block.level + 2, 6)}` as "h3";
      return <Tag key={key}>{inline(block.text, key)}</Tag>;
    }
    case "list": {
      const Tag = block.ordered ? "ol" : "ul";
      return (
        <Tag key={key}>
          {block.items.map((item, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: list items are positional
            <li key={n}>{inline(item, `${key}-${n}`)}</li>
          ))}
        </Tag>
      );
    }
    default:
      return <p key={key}>{inline(block.text, key)}</p>;
  }
}

export function Markdown({ text }: { text: string }) {
  return (
    <div className="atlas-markdown">{parseBlocks(text).map((b, n) => renderBlock(b, `b${n}`))}</div>
  );
}
