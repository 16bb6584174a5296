// Compiled by `npm run typecheck` only: the public API narrows and types as documented.
import Atlas, {
  AtlasError,
  type CreateScheduledTaskInput,
  createAtlasClient,
  type paths,
  type StreamEvent,
  type UpdateScheduledTaskInput,
} from "../../src/index.js";

// The hand-written scheduled-task inputs stay within the gateway's documented request bodies.
type Tasks = paths["/api/v1/scheduled-tasks"];
type OneTask = paths["/api/v1/scheduled-tasks/{id}"];
export const createFits = (input: CreateScheduledTaskInput): Tasks["post"]["requestBody"] => ({
  content: { "application/json": input },
});
export const updateFits = (input: UpdateScheduledTaskInput): OneTask["put"]["requestBody"] => ({
  content: { "application/json": input },
});

export async function usage(): Promise<void> {
  const atlas = createAtlasClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "k", maxRetries: 1 });
  const same: Atlas = new Atlas({ bearerToken: "t", baseUrl: "http://127.0.0.1:8000" });
  const result = await atlas.query("q", { conversationId: "c" });
  const firstRow: Record<string, unknown> | undefined = result.data[0]?.rows[0];
  const totalTokens: number = result.usage.totalTokens;
  const stream = same.streamQuery("q", { signal: new AbortController().signal });
  for await (const event of stream) describe(event);
  await stream.stop();
  const { conversations } = await atlas.conversations.list({ starred: true });
  const surface: "web" | "api" | "mcp" | "slack" | "scheduled" | undefined =
    conversations[0]?.surface;
  const share = await atlas.conversations.share("c", { expiresIn: "7d" });
  const layer = (await atlas.validateSQL("SELECT 1")).errors[0]?.layer;
  const prompts = (await atlas.getStarterPrompts({ limit: 3 })).prompts.map((p) => p.text);
  const task = await atlas.scheduledTasks.create({
    name: "n",
    question: "q",
    cronExpression: "0 9 * * 1",
    deliveryChannel: "email",
    recipients: [{ type: "email", address: "ops@example.com" }],
  });
  const { runs } = await atlas.scheduledTasks.listRuns(task.id, { limit: 1 });
  const runStatus: "running" | "success" | "failed" | "skipped" | undefined = runs[0]?.status;
  void [firstRow, totalTokens, surface, share.token, layer, prompts, runStatus];
  for await (const page of atlas.admin.auditPages({ outcome: "error", limit: 200 })) {
    const kind: "question" | "change" | undefined = page.rows[0]?.kind;
    void [kind, page.nextCursor satisfies string | null];
  }
  const { rows } = await atlas.getAuditLog({ success: false, from: "2026-12-01" });
  const csv: string = await (await atlas.admin.auditExport({ q: "users" })).text();
  const perDay: number | undefined = (await atlas.admin.auditStats()).queriesPerDay[0]?.errors;
  const health: "healthy" | "degraded" | "unhealthy" = (await atlas.admin.testConnection("default"))
    .status;
  const overview = await atlas.admin.overview();
  const features = overview.plan?.features.map((f) => [f.key, f.used]);
  void [rows, csv, perDay, health, overview.questions?.topQuestions, features];
  try {
    await atlas.listTables({ connectionId: "default" });
  } catch (error) {
    if (error instanceof AtlasError && error.code === "rate_limited") void error.retryAfterSeconds;
  }
}

function describe(event: StreamEvent): string {
  switch (event.type) {
    case "text":
      return event.content;
    case "tool-call":
      return String(event.args.sql);
    case "result":
      return `${event.columns.length} columns, ${event.rows.length} rows`;
    case "error":
      return `${event.code}: ${event.error.message}`;
    case "finish":
      return `${event.reason} ${event.conversationId ?? ""}`;
    default:
      return event.type;
  }
}
