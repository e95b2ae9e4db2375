// The patient chat widget. No framework, no HTML strings: every message is built with
// createElement/textContent, so nothing a user or an article says can run as code.
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

  // --- state: the session id and the transcript, kept for this tab (sessionStorage) ---
  function newSessionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function loadState() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.sessionId === "string" && Array.isArray(saved.entries)) {
        return saved;
      }
    } catch (error) {
      // unreadable: start a new conversation
    }
    return { sessionId: newSessionId(), entries: [] };
  }

  let state = loadState();

  function saveState() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (error) {
      // storage full or disabled: the conversation still works, it just won't survive a reload
    }
  }

  // --- rendering: text only, links built as elements ---
  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/g;

  function safeUrl(candidate) {
    try {
      const url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const raw = match[0].replace(/[.,;:!?)\]]+$/, "");
      const href = safeUrl(raw);
      if (!href) continue;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const link = document.createElement("a");
      link.href = href;
      link.textContent = raw;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      const hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (opens in a new tab)";
      link.appendChild(hint);
      parent.appendChild(link);
      last = match.index + raw.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function paragraphs(parent, text) {
    for (const part of String(text).split(/\n{2,}/)) {
      const p = document.createElement("p");
      appendText(p, part);
      parent.appendChild(p);
    }
  }

  function label(text) {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function renderEntry(entry) {
    const item = document.createElement("div");
    item.className = "msg msg-" + entry.kind;
    if (entry.kind === "user") {
      item.appendChild(label("You said: "));
      paragraphs(item, entry.text);
    } else if (entry.kind === "bot") {
      if (entry.urgent) {
        item.classList.add("msg-urgent");
        item.setAttribute("role", "alert");
        const flag = document.createElement("p");
        flag.className = "urgent-flag";
        flag.textContent = "Important";
        item.appendChild(flag);
      } else {
        item.appendChild(label("Assistant: "));
      }
      paragraphs(item, entry.text);
      if (entry.source_line) {
        const source = document.createElement("p");
        source.className = "source";
        source.textContent = entry.source_line;
        item.appendChild(source);
      }
      if (Array.isArray(entry.buttons) && entry.buttons.length) {
        const group = document.createElement("div");
        group.className = "choices";
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", "Related topics");
        for (const button of entry.buttons) {
          const choice = document.createElement("button");
          choice.type = "button";
          choice.className = "choice";
          choice.textContent = button.title;
          choice.addEventListener("click", () => send(button.payload, button.title));
          group.appendChild(choice);
        }
        item.appendChild(group);
      }
    } else {
      // "note" (a polite remark of the page) or "error" (the assistant could not answer)
      if (entry.kind === "error") item.setAttribute("role", "alert");
      paragraphs(item, entry.text);
    }
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

  document.getElementById("start-over").addEventListener("click", () => {
    state = { sessionId: newSessionId(), entries: [] };
    saveState();
    log.replaceChildren();
    send(GREETING);
    input.focus();
  });

  document.getElementById("print").addEventListener("click", () => window.print());

  // --- start: restore the conversation, then open the nurse's topic or greet ---
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
