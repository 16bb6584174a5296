/** A chart of a query result, drawn with Chart.js (canvas; only the line and bar parts are
 * registered, to keep the bundle small). The kind comes from `chooseChart`; when it says none,
 * nothing is drawn. Colours are the theme's CSS variables, read when the chart is drawn. */

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useMemo, useRef } from "react";
import type { ChartChoice, ChartHint } from "../lib/chart-choice";
import { chooseChart } from "../lib/chart-choice";
import { formatCell } from "../lib/format";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

export interface ResultChartProps {
  columns: string[];
  rows: Record<string, unknown>[];
  /** The server's `data-chart` hint; `table` / `number` mean no chart. */
  hint?: ChartHint;
  /** Force a choice instead of picking one from the data's shape. */
  choice?: ChartChoice | null;
}

function cssVar(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

function describe(choice: ChartChoice, rows: number): string {
  const what = choice.kind === "line" ? "Line chart" : "Bar chart";
  return `${what} of ${choice.y.join(", ")} by ${choice.x}, ${rows} points`;
}

export function ResultChart({ columns, rows, hint, choice: forced }: ResultChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const choice = useMemo(
    () => (forced !== undefined ? forced : chooseChart(columns, rows, hint)),
    [forced, columns, rows, hint],
  );

  useEffect(() => {
    const element = canvas.current;
    if (!element || !choice) return;
    const palette = [
      cssVar(element, "--atlas-accent", "#2563eb"),
      cssVar(element, "--atlas-chart-2", "#f59e0b"),
      cssVar(element, "--atlas-chart-3", "#10b981"),
      cssVar(element, "--atlas-chart-4", "#ef4444"),
    ];
    const text = cssVar(element, "--atlas-muted-fg", "#64748b");
    const grid = cssVar(element, "--atlas-border", "#e2e8f0");
    const chart = new Chart(element, {
      type: choice.kind,
      data: {
        labels: rows.map((r) => formatCell(r[choice.x], choice.kind === "line" ? "date" : "text")),
        datasets: choice.y.map((y, n) => ({
          label: y,
          data: rows.map((r) => Number(r[y])),
          borderColor: palette[n % palette.length],
          backgroundColor: palette[n % palette.length],
          pointRadius: rows.length > 40 ? 0 : 2,
          tension: 0.2,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false, // drawn at once: a result is read, not watched (and motion stays off)
        plugins: { legend: { display: choice.y.length > 1, labels: { color: text } } },
        scales: {
          x: { ticks: { color: text, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: text }, grid: { color: grid } },
        },
      },
    });
    return () => chart.destroy();
  }, [choice, rows]);

  if (!choice) return null;
  return (
    <figure className="atlas-chart" data-chart-kind={choice.kind}>
      <div className="atlas-chart-canvas">
        <canvas ref={canvas} role="img" aria-label={describe(choice, rows.length)} />
      </div>
    </figure>
  );
}
