// The patient chat widget. No framework, no HTML strings: every message is built by
// chat-render.js with createElement/textContent, so nothing a user or an article says
// can run as code.
"use strict";

(function () {
  const root = document.getElementById("chat");
  if (!root) return;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const typing = document.getElementById("typing");
  const STORE_KEY = "immunotherapy-chat";
  const GREETING = "/greet";
  const NOT_FOUND_NOTE =
    "Sorry, we could not find that topic. Here is the start of the chat instead. " +
    "You can type your question, or see all topics.";
  let busy = false;

  // --- state: the conversation and the transcript, kept for this tab (sessionStorage) ---
  // The server issues conversation ids (signed, so none can be made up here) with their
  // short reference; the page brings a fresh one, "Start over" asks for another.
  const reference = document.getElementById("reference");

  function pageConversation() {
    return { sessionId: root.dataset.sessionId, reference: root.dataset.reference, entries: [] };
  }

  function loadState() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (
        saved &&
        typeof saved.sessionId === "string" &&
        typeof saved.reference === "string" &&
        Array.isArray(saved.entries)
      ) {
        return saved;
      }
    } catch (error) {
      // unreadable: start a new conversation
    }
    return pageConversation();
  }

  let state = loadState();

  function showReference() {
    reference.textContent = state.reference;
  }

  function saveState() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (error) {
      // storage full or disabled: the conversation still works, it just won't survive a reload
    }
  }

  // --- rendering: the shared message builder (chat-render.js, also the editor's preview) ---
  function renderEntry(entry) {
    const item = window.ChatRender.renderMessage(entry, send);
    log.appendChild(item);
    return item;
  }

  function add(entry) {
    state.entries.push(entry);
    saveState();
    const item = renderEntry(entry);
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  // --- talking to the web app (which forwards to the assistant) ---
  function setBusy(value) {
    busy = value;
    typing.hidden = !value;
    sendButton.setAttribute("aria-disabled", value ? "true" : "false");
    root.setAttribute("aria-busy", value ? "true" : "false");
  }

  async function send(message, shown) {
    if (busy) return;
    if (shown) add({ kind: "user", text: shown });
    setBusy(true);
    try {
      const response = await fetch(root.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ session_id: state.sessionId, message: message }),
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok && Array.isArray(data.messages)) {
        if (typeof data.reference === "string" && data.reference !== state.reference) {
          state.reference = data.reference;
          showReference();
        }
        for (const reply of data.messages) add(Object.assign({ kind: "bot" }, reply));
      } else {
        add({ kind: "error", text: data.error || root.dataset.unavailable });
      }
    } catch (error) {
      add({ kind: "error", text: root.dataset.unavailable });
    } finally {
      setBusy(false);
    }
  }

  // --- controls ---
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    send(text, text);
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  async function newConversation() {
    const response = await fetch(root.dataset.newConversation, {
      method: "POST",
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok || typeof data.session_id !== "string") throw new Error("no conversation");
    return { sessionId: data.session_id, reference: data.reference, entries: [] };
  }

  document.getElementById("start-over").addEventListener("click", async () => {
    if (busy) return;
    setBusy(true);
    let fresh;
    try {
      fresh = await newConversation();
    } catch (error) {
      add({ kind: "error", text: root.dataset.unavailable });
      return;
    } finally {
      setBusy(false);
    }
    state = fresh;
    saveState();
    showReference();
    log.replaceChildren();
    send(GREETING);
    input.focus();
  });

  document.getElementById("print").addEventListener("click", () => window.print());

  // --- start: restore the conversation, then open the nurse's topic or greet ---
  showReference();
  for (const entry of state.entries) renderEntry(entry);
  const params = new URLSearchParams(window.location.search);
  if (params.has("topic")) {
    // The topic is answered once; a reload must not ask it again.
    params.delete("topic");
    const rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }
  if (root.dataset.topicPayload) {
    send(root.dataset.topicPayload, root.dataset.topicTitle);
  } else if (root.dataset.topicMissing === "true") {
    add({ kind: "note", text: NOT_FOUND_NOTE });
    if (state.entries.length === 1) send(GREETING);
  } else if (!state.entries.length) {
    send(GREETING);
  }
})();
