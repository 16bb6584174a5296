/**
 * `client.scheduledTasks`: a question asked on a cron schedule, answered by the workers and
 * delivered by email, Slack or webhook (`/api/v1/scheduled-tasks`). Names and shapes are
 * upstream Atlas's (`@useatlas/types` scheduled-task): camelCase, ISO 8601 times as strings.
 */
import type { Transport } from "./transport.js";

export type DeliveryChannel = "email" | "slack" | "webhook";
/** A run: `skipped` is a slot missed while no scheduler ran (only the latest one is run). */
export type ScheduledRunStatus = "running" | "success" | "failed" | "skipped";
/** The delivery of a run's answer; `failed_permanent` once the retries are spent. */
export type DeliveryStatus = "pending" | "sent" | "failed" | "failed_permanent" | (string & {});

export interface EmailRecipient {
  type: "email";
  address: string;
}

export interface SlackRecipient {
  type: "slack";
  /** The channel's incoming-webhook URL (`https://hooks.slack.com/services/...`). */
  channel: string;
  teamId?: string;
}

export interface WebhookRecipient {
  type: "webhook";
  url: string;
  /** Extra headers sent with the delivery. */
  headers?: Record<string, string>;
}

/** One recipient; its `type` must match the task's `deliveryChannel` (else `invalid_recipients`). */
export type Recipient = EmailRecipient | SlackRecipient | WebhookRecipient;

export interface ScheduledTask {
  id: string;
  ownerId: string;
  /** The workspace of the task; null on a single-tenant server. */
  orgId: string | null;
  name: string;
  question: string;
  /** Five fields (minute precision), or six with seconds first. */
  cronExpression: string;
  /** The IANA time zone the cron expression is read in (default `UTC`). */
  timezone: string;
  deliveryChannel: DeliveryChannel;
  recipients: Recipient[];
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ScheduledTaskRun {
  id: string;
  taskId: string;
  /** The schedule's time this run is for (the trigger time for a manual run). */
  slotAt: string;
  trigger: "schedule" | "manual";
  status: ScheduledRunStatus;
  /** Why the run failed (a question the planner cannot answer, a worker error...). */
  error: string | null;
  deliveryStatus: DeliveryStatus | null;
  deliveryError: string | null;
  /** The conversation of the run's answer: open it with `conversations.get`. */
  conversationId: string | null;
  tokensUsed: number | null;
  startedAt: string;
  completedAt: string | null;
  createdAt: string;
}

/** `get(id)`: the task with its most recent runs. */
export interface ScheduledTaskWithRuns extends ScheduledTask {
  recentRuns: ScheduledTaskRun[];
}

export interface ListScheduledTasksResponse {
  tasks: ScheduledTask[];
  total: number;
}

export interface ListScheduledTasksOptions {
  limit?: number;
  offset?: number;
  enabled?: boolean;
}

export interface ListScheduledTaskRunsOptions {
  limit?: number;
}

export interface ListScheduledTaskRunsResponse {
  runs: ScheduledTaskRun[];
}

export interface CreateScheduledTaskInput {
  name: string;
  question: string;
  /** Five fields (minute precision), or six with seconds first. */
  cronExpression: string;
  /** An IANA zone (`Europe/Paris`); default `UTC`. */
  timezone?: string;
  /** Default `email`. */
  deliveryChannel?: DeliveryChannel;
  recipients?: Recipient[];
  enabled?: boolean;
}

/** Every field optional: only those given change. */
export type UpdateScheduledTaskInput = Partial<CreateScheduledTaskInput>;

/** `trigger(id)`: the run was queued (it is listed by `listRuns` as `running`). */
export interface TriggerScheduledTaskResponse {
  taskId: string;
  runId: string;
  message: string;
}

const enc = encodeURIComponent;
const BASE = "/api/v1/scheduled-tasks";

export class ScheduledTasks {
  constructor(private readonly http: Transport) {}

  /** Your tasks (an admin: the workspace's), newest first. */
  list(options: ListScheduledTasksOptions = {}): Promise<ListScheduledTasksResponse> {
    return this.http.json(`${BASE}${search({ ...options })}`);
  }

  /** One task with its recent runs; `not_found` when unknown or not yours. */
  async get(id: string): Promise<ScheduledTaskWithRuns> {
    return this.http.json(path(id));
  }

  /** A new task. A bad cron is `invalid_cron`, recipients not of the channel `invalid_recipients`. */
  create(input: CreateScheduledTaskInput): Promise<ScheduledTask> {
    return this.http.json(BASE, { method: "POST", body: input });
  }

  /** Change some fields (`enabled: false` pauses the task). */
  async update(id: string, input: UpdateScheduledTaskInput): Promise<ScheduledTask> {
    return this.http.json(path(id), { method: "PUT", body: input });
  }

  /** Delete a task; true when it was deleted. */
  async delete(id: string): Promise<boolean> {
    await this.http.json(path(id), { method: "DELETE" });
    return true;
  }

  /** Run the task now, outside its schedule; a disabled task is `task_disabled` (409). */
  async trigger(id: string): Promise<TriggerScheduledTaskResponse> {
    return this.http.json(`${path(id)}/run`, { method: "POST", body: {} });
  }

  /** The task's runs, newest first. */
  async listRuns(
    id: string,
    options: ListScheduledTaskRunsOptions = {},
  ): Promise<ListScheduledTaskRunsResponse> {
    return this.http.json(`${path(id)}/runs${search({ ...options })}`);
  }
}

function path(id: string): string {
  if (!id) throw new TypeError("Atlas: a scheduled task id is required");
  return `${BASE}/${enc(id)}`;
}

/** `?a=1&b=2` of the defined values; "" when none. */
function search(params: Record<string, string | number | boolean | undefined>): string {
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) out.set(name, String(value));
  }
  const text = out.toString();
  return text ? `?${text}` : "";
}
