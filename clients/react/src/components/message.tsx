/** One chat message, its parts rendered by type (as the AI SDK's chat template does): text
 * as Markdown, tool parts through the tool renderers, clarifications as buttons and
 * follow-up suggestions as chips. Status, plan and usage parts are not shown in the answer. */

import type { UIMessage } from "ai";

import type { ChartHint } from "../lib/chart-choice";
import { clarificationOf, lastData, statusOf, suggestionsOf, toolPartView } from "../lib/parts";
import { Markdown } from "./markdown";
import type { ToolRenderers } from "./tool-part";
import { ToolPart } from "./tool-part";

export interface MessageProps {
  message: UIMessage;
  /** The last assistant message while it streams: shows status, hides chips. */
  streaming?: boolean;
  /** Whether this is the latest message (only it offers clarifications and chips). */
  latest?: boolean;
  toolRenderers?: ToolRenderers;
  onAsk?: (text: string) => void;
}

function chartHintOf(message: UIMessage): ChartHint | undefined {
  const data = lastData(message, "chart");
  if (!data) return undefined;
  return {
    chart: String(data.chart ?? ""),
    x: data.x as string | null,
    y: data.y as string[] | undefined,
  };
}

function Parts({ message, toolRenderers }: MessageProps) {
  const hint = chartHintOf(message);
  return (
    <>
      {/* Parts have no ids and are only ever appended: their position is their identity. */}
      {message.parts.map((part, n) => {
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        if (part.type === "text") return part.text ? <Markdown key={n} text={part.text} /> : null;
        const tool = toolPartView(part);
        return tool ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <ToolPart key={n} view={tool} renderers={toolRenderers} chartHint={hint} />
        ) : null;
      })}
    </>
  );
}

function Choices({ message, onAsk }: MessageProps) {
  const clarification = clarificationOf(message);
  const suggestions = suggestionsOf(message);
  return (
    <>
      {clarification && (
        // biome-ignore lint/a11y/useSemanticElements: a group of buttons, not form fields
        <div
          className="atlas-choices"
          role="group"
          aria-label={`What do you mean by ${clarification.term}?`}
        >
          {clarification.options.map((option) => (
            <button
              key={option}
              type="button"
              className="atlas-btn atlas-btn-outline"
              onClick={() => onAsk?.(option)}
            >
              {option}
            </button>
          ))}
        </div>
      )}
      {suggestions.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: a group of buttons, not form fields
        <div className="atlas-chips" role="group" aria-label="Follow-up questions">
          {suggestions.map((s) => (
            <button key={s} type="button" className="atlas-chip" onClick={() => onAsk?.(s)}>
              {s}
            </button>
          ))}
        </div>
      )}
    </>
  );
}

export function Message(props: MessageProps) {
  const { message, streaming, latest } = props;
  if (message.role === "user") {
    return (
      <div className="atlas-msg atlas-msg-user">
        <p>{message.parts.map((p) => (p.type === "text" ? p.text : "")).join("")}</p>
      </div>
    );
  }
  const status =
    streaming && !message.parts.some((p) => p.type === "text") ? statusOf(message) : undefined;
  return (
    <div className="atlas-msg atlas-msg-assistant" aria-busy={streaming || undefined}>
      <Parts {...props} />
      {status && (
        <p className="atlas-status" role="status">
          {status}
        </p>
      )}
      {latest && !streaming && <Choices {...props} />}
    </div>
  );
}
