// Atlas admin: the API keys page. Plain JavaScript, no build step, no inline code (CSP).
// Every call is same-origin with the session cookie; data is rendered with textContent only.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const views = ["sign-in-view", "forbidden-view", "keys-view"];
  let pendingRevoke = null; // {id, name} of the key the confirmation dialog is about

  // -- talking to the API ---------------------------------------------------------------------

  async function api(method, path, body) {
    const init = { method, credentials: "same-origin", headers: { accept: "application/json" } };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      return { status: 0, data: { message: "Atlas is unreachable. Check your connection." } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    return { status: response.status, data };
  }

  function messageOf(result, fallback) {
    const data = result.data || {};
    if (result.status === 429 && data.retryAfterSeconds) {
      return `Too many attempts. Try again in ${data.retryAfterSeconds} s.`;
    }
    return data.message || fallback;
  }

  // -- views ------------------------------------------------------------------------------------

  function show(view) {
    for (const id of views) $(id).hidden = id !== view;
  }

  function say(text) {
    $("page-status").textContent = text;
  }

  function showSignIn(note) {
    $("who").hidden = true;
    show("sign-in-view");
    say(note || "");
    $("email").focus();
  }

  async function showWho() {
    const result = await api("GET", "/api/auth/get-session");
    const user = result.status === 200 && result.data && result.data.user;
    $("who").hidden = !user;
    $("who-email").textContent = user ? user.email : "";
  }

  async function load() {
    const result = await api("GET", "/api/auth/api-key/list?limit=500");
    if (result.status === 401) return showSignIn();
    if (result.status === 403) {
      show("forbidden-view");
      return showWho();
    }
    if (result.status !== 200) {
      say(messageOf(result, "Could not load the API keys."));
      return;
    }
    render(result.data.apiKeys, result.data.total);
    show("keys-view");
    await showWho();
  }

  // -- the table ----------------------------------------------------------------------------------

  function cell(row, content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function when(iso, never) {
    if (!iso) {
      const span = document.createElement("span");
      span.className = "never";
      span.textContent = never;
      return span;
    }
    const time = document.createElement("time");
    time.dateTime = iso;
    const date = new Date(iso);
    time.textContent = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    time.title = date.toISOString();
    return time;
  }

  function masked(key) {
    const code = document.createElement("code");
    code.className = "masked";
    code.textContent = `${key.prefix}${key.start}…`;
    code.setAttribute("aria-label", `Key starting ${key.prefix}${key.start}`);
    return code;
  }

  function badge(status) {
    const span = document.createElement("span");
    span.className = `badge ${status}`;
    span.textContent = status.charAt(0).toUpperCase() + status.slice(1);
    return span;
  }

  function revokeButton(key) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.textContent = "Revoke";
    button.setAttribute("aria-label", `Revoke key ${key.name}`);
    button.dataset.keyId = key.id;
    button.addEventListener("click", () => openRevoke(key));
    return button;
  }

  function render(keys, total) {
    const body = $("keys-body");
    body.replaceChildren();
    for (const key of keys) {
      const row = document.createElement("tr");
      row.dataset.keyId = key.id;
      cell(row, key.name, "name");
      cell(row, masked(key));
      cell(row, key.role.charAt(0).toUpperCase() + key.role.slice(1));
      cell(row, badge(key.status), "status");
      cell(row, when(key.createdAt, "—"));
      cell(row, when(key.expiresAt, "Never"));
      cell(row, when(key.lastRequest, "Never"));
      cell(row, key.status === "revoked" ? "" : revokeButton(key), "actions-cell");
      body.appendChild(row);
    }
    $("keys-table").hidden = keys.length === 0;
    $("keys-empty").hidden = keys.length !== 0;
    $("keys-count").textContent =
      total > keys.length ? `Showing ${keys.length} of ${total} keys.` : "";
  }

  // -- sign in / out ------------------------------------------------------------------------------

  async function signIn(event) {
    event.preventDefault();
    const email = $("email").value.trim();
    const password = $("password").value;
    const error = $("sign-in-error");
    if (!email || !password) {
      error.textContent = "Enter your email and password.";
      return;
    }
    $("sign-in-submit").disabled = true;
    const result = await api("POST", "/api/auth/sign-in/email", { email, password });
    $("sign-in-submit").disabled = false;
    if (result.status === 200) {
      error.textContent = "";
      $("password").value = "";
      say("Signed in.");
      return load();
    }
    if (result.status === 404) {
      error.textContent = "Sign-in with a password is not available in this auth mode.";
      return;
    }
    error.textContent = messageOf(result, "Could not sign in.");
  }

  async function signOut() {
    await api("POST", "/api/auth/sign-out");
    showSignIn("Signed out.");
  }

  // -- create ---------------------------------------------------------------------------------------

  function openCreate() {
    $("create-form").reset();
    $("create-error").textContent = "";
    $("key-name").removeAttribute("aria-invalid");
    $("create-dialog").showModal();
    $("key-name").focus();
  }

  function createBody() {
    const body = { name: $("key-name").value.trim(), role: $("key-role").value };
    const expiry = $("key-expiry").value;
    if (expiry) body.expiresIn = Number(expiry);
    return body;
  }

  async function create(event) {
    event.preventDefault();
    const body = createBody();
    const error = $("create-error");
    if (!body.name) {
      $("key-name").setAttribute("aria-invalid", "true");
      error.textContent = "Give the key a name.";
      $("key-name").focus();
      return;
    }
    $("create-submit").disabled = true;
    const result = await api("POST", "/api/auth/api-key/create", body);
    $("create-submit").disabled = false;
    if (result.status === 401) {
      $("create-dialog").close();
      return showSignIn("Your session ended. Sign in again.");
    }
    if (result.status !== 200) {
      error.textContent = messageOf(result, "Could not create the key.");
      return;
    }
    $("create-dialog").close();
    showCreated(result.data);
    await load();
  }

  function showCreated(created) {
    $("created-name").textContent = created.name;
    $("created-key").value = created.key;
    $("copy-status").textContent = "";
    $("created-dialog").showModal();
    $("created-key").focus();
    $("created-key").select();
  }

  async function copyKey() {
    const input = $("created-key");
    let copied = false;
    try {
      await navigator.clipboard.writeText(input.value);
      copied = true;
    } catch (err) {
      input.select();
      copied = document.execCommand && document.execCommand("copy");
    }
    $("copy-status").textContent = copied
      ? "Copied to the clipboard."
      : "Copy did not work here: select the key and copy it yourself.";
  }

  function forgetCreated() {
    // The key leaves the page with the dialog: it is never shown again.
    $("created-key").value = "";
    $("created-name").textContent = "";
  }

  // -- revoke ---------------------------------------------------------------------------------------

  function openRevoke(key) {
    pendingRevoke = { id: key.id, name: key.name };
    $("revoke-name").textContent = key.name;
    $("revoke-error").textContent = "";
    $("revoke-dialog").showModal();
    $("revoke-cancel").focus();
  }

  async function revoke() {
    if (!pendingRevoke) return;
    const { id, name } = pendingRevoke;
    $("revoke-confirm").disabled = true;
    const result = await api("POST", "/api/auth/api-key/delete", { keyId: id });
    $("revoke-confirm").disabled = false;
    if (result.status === 401) {
      $("revoke-dialog").close();
      return showSignIn("Your session ended. Sign in again.");
    }
    if (result.status !== 200) {
      $("revoke-error").textContent = messageOf(result, "Could not revoke the key.");
      return;
    }
    pendingRevoke = null;
    $("revoke-dialog").close();
    say(`Key “${name}” revoked.`);
    await load();
    $("create-open").focus();
  }

  // -- wiring ---------------------------------------------------------------------------------------

  function wire() {
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("create-open").addEventListener("click", openCreate);
    $("create-form").addEventListener("submit", create);
    $("create-cancel").addEventListener("click", () => $("create-dialog").close());
    $("copy-key").addEventListener("click", copyKey);
    $("created-done").addEventListener("click", () => $("created-dialog").close());
    $("created-dialog").addEventListener("close", () => {
      forgetCreated();
      $("create-open").focus();
    });
    $("revoke-cancel").addEventListener("click", () => $("revoke-dialog").close());
    $("revoke-confirm").addEventListener("click", revoke);
    $("revoke-dialog").addEventListener("close", () => {
      pendingRevoke = null;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    wire();
    load();
  });
})();
