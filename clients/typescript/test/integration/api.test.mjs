// The JSON calls against the running stack: query, conversations (sharing too), tables,
// validate-sql, starter prompts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { client, QUESTION, rejectsWith } from "./helpers.mjs";

test("query returns the answer with its SQL, rows and ids", async () => {
  const result = await client().query(QUESTION);
  assert.match(result.answer, /\d/);
  assert.equal(result.sql.length, 1);
  assert.match(result.sql[0], /^SELECT/i);
  assert.deepEqual(Object.keys(result.data[0].rows[0]), result.data[0].columns);
  assert.equal(result.steps, 1);
  assert.equal(typeof result.usage.totalTokens, "number");
  assert.match(result.conversationId, /\S/);
  assert.match(result.requestId, /\S/);
});

test("conversations: list, get, star, unstar, share, unshare, delete", async () => {
  const atlas = client();
  const { conversationId: id } = await atlas.query(QUESTION);
  const { conversations, total } = await atlas.conversations.list({ limit: 50 });
  assert.ok(total >= 1);
  const listed = conversations.find((c) => c.id === id);
  assert.ok(listed, "the new conversation is listed");
  const conversation = await atlas.conversations.get(id);
  assert.deepEqual(
    conversation.messages.map((m) => m.role),
    ["user", "assistant"],
  );
  assert.equal(conversation.messages[0].content, QUESTION);

  assert.deepEqual(await atlas.conversations.star(id), { id, starred: true });
  const starred = await atlas.conversations.list({ starred: true });
  assert.ok(starred.conversations.some((c) => c.id === id));
  await atlas.conversations.unstar(id);
  const after = await atlas.conversations.list({ starred: true });
  assert.ok(!after.conversations.some((c) => c.id === id));

  const share = await atlas.conversations.share(id);
  assert.match(share.token, /\S{16,}/);
  assert.ok(share.url.endsWith(share.token), share.url);
  const shared = await atlas.conversations.getShared(share.token);
  assert.equal(shared.messages[0].content, QUESTION);
  await atlas.conversations.unshare(id);
  await rejectsWith(atlas.conversations.getShared(share.token), "not_found", 404);

  assert.equal(await atlas.conversations.delete(id), true);
  await rejectsWith(atlas.conversations.get(id), "not_found", 404);
});

test("listTables: the semantic layer's tables with columns; an unknown connection 404", async () => {
  const { tables } = await client().listTables();
  const users = tables.find((t) => t.table === "users");
  assert.ok(users, tables.map((t) => t.table).join());
  assert.ok(users.columns.some((c) => c.name === "created_at"));
  const scoped = await client().listTables({ connectionId: "default" });
  assert.deepEqual(
    scoped.tables.map((t) => t.table),
    tables.map((t) => t.table),
  );
  await rejectsWith(client().listTables({ connectionId: "no-such-source" }), "not_found", 404);
});

test("validateSQL: valid SQL with its tables; a write refused with its layer", async () => {
  const ok = await client().validateSQL("SELECT count(*) FROM users");
  assert.equal(ok.valid, true);
  assert.deepEqual(ok.tables, ["users"]);
  const refused = await client().validateSQL("DROP TABLE users");
  assert.equal(refused.valid, false);
  assert.ok(refused.errors.length >= 1);
  assert.match(refused.errors[0].layer, /^(regex_guard|ast_parse)$/);
  const empty = await client().validateSQL("");
  assert.equal(empty.valid, false);
  assert.equal(empty.errors[0].layer, "empty_check");
});

test("getStarterPrompts: the demo's prompts, limited", async () => {
  const { prompts, total } = await client().getStarterPrompts();
  assert.ok(prompts.length >= 1);
  assert.equal(total, prompts.length);
  for (const prompt of prompts) assert.match(prompt.text, /\S/);
  const two = await client().getStarterPrompts({ limit: 2 });
  assert.equal(two.prompts.length, Math.min(2, prompts.length));
});
