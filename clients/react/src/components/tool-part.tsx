/** Tool parts by tool name: `executeSQL` gets the SQL result card unless the app passes its
 * own renderer in `toolRenderers`; any other tool shows a compact "used <tool>" line. */

import type { ComponentType } from "react";
import { memo } from "react";

import type { ChartHint } from "../lib/chart-choice";
import type { ToolPartView } from "../lib/parts";
import { sqlResult } from "../lib/parts";
import { SQLResultCard } from "./sql-result-card";

export interface ToolRendererProps extends ToolPartView {
  /** The message's `data-chart` hint, for renderers of query results. */
  chartHint?: ChartHint;
}

export type ToolRenderers = Record<string, ComponentType<ToolRendererProps>>;

function SQLToolRenderer({ args, result, isLoading, errorText, chartHint }: ToolRendererProps) {
  const data = sqlResult(result);
  return (
    <SQLResultCard
      sql={String(args.sql ?? "")}
      columns={data?.columns ?? []}
      rows={data?.rows ?? []}
      truncated={data?.truncated}
      hint={chartHint}
      isLoading={isLoading}
      error={errorText ?? data?.error}
    />
  );
}

function GenericToolRenderer({ toolName, isLoading }: ToolRendererProps) {
  return <p className="atlas-tool-note">{isLoading ? `Using ${toolName}…` : `Used ${toolName}`}</p>;
}

export const defaultToolRenderers: ToolRenderers = { executeSQL: SQLToolRenderer };

interface ToolPartProps {
  view: ToolPartView;
  renderers?: ToolRenderers;
  chartHint?: ChartHint;
}

function ToolPartBody({ view, renderers, chartHint }: ToolPartProps) {
  const Renderer =
    renderers?.[view.toolName] ?? defaultToolRenderers[view.toolName] ?? GenericToolRenderer;
  return <Renderer {...view} chartHint={chartHint} />;
}

/** The AI SDK hands out a fresh copy of the message for every streamed chunk; a finished tool
 * part does not change, so it is not drawn again while the narrative streams (a chart would
 * otherwise be torn down and redrawn for every token). */
function sameToolPart(a: ToolPartProps, b: ToolPartProps): boolean {
  return (
    a.view.toolCallId === b.view.toolCallId &&
    a.view.isLoading === b.view.isLoading &&
    a.view.errorText === b.view.errorText &&
    (a.view.result === undefined) === (b.view.result === undefined) &&
    a.renderers === b.renderers &&
    JSON.stringify(a.chartHint) === JSON.stringify(b.chartHint)
  );
}

export const ToolPart = memo(ToolPartBody, sameToolPart);
