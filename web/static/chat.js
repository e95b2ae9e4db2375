// The patient chat widget. No framework, no HTML strings: every message is built by
// chat-render.js with createElement/textContent, so nothing a user or an article says
// can run as code. Its words, in English and French, come from the page (data-strings,
// drawn from web/i18n.py); the conversation's language is kept with the conversation.
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
  const STRINGS = JSON.parse(root.dataset.strings || "{}"); // language -> key -> text
  const LANGUAGES = Object.keys(STRINGS);
  let busy = false;

  function known(language) {
    return typeof language === "string" && LANGUAGES.includes(language) ? language : null;
  }

  // The browser's preferred language we speak ("fr-FR" -> "fr"), or null.
  function browserLanguage() {
    for (const tag of navigator.languages || [navigator.language]) {
      const language = known(String(tag || "").toLowerCase().split("-")[0]);
      if (language) return language;
    }
    return null;
  }

  // --- state: the conversation and the transcript, kept for this tab (sessionStorage) ---
  // The server issues conversation ids (signed, so none can be made up here) with their
  // short reference; the page brings a fresh one, "Start over" asks for another.
  const reference = document.getElementById("reference");

  function pageConversation() {
    return {
      sessionId: root.dataset.sessionId,
      reference: root.dataset.reference,
      language: null,
      entries: [],
    };
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
  const params = new URLSearchParams(window.location.search);
  // The start language: a nurse's ?lang= link, else the one this conversation was using,
  // else the browser's preference (what the server drew the page in, or navigator's).
  state.language =
    known(params.get("lang")) ||
    known(state.language) ||
    browserLanguage() ||
    known(root.dataset.language) ||
    LANGUAGES[0];

  function text(key, language) {
    const strings = STRINGS[language || state.language] || {};
    return typeof strings[key] === "string" ? strings[key] : "";
  }

  // --- the language switch: the page's words follow at once, the history stays ---
  const switches = Array.from(root.querySelectorAll(".language-switch button[data-language]"));

  function showLanguage() {
    const language = state.language;
    document.documentElement.lang = language;
    root.dataset.language = language;
    for (const node of document.querySelectorAll("[data-i18n]")) {
      node.textContent = text(node.dataset.i18n);
    }
    for (const node of document.querySelectorAll("[data-i18n-label]")) {
      node.setAttribute("aria-label", text(node.dataset.i18nLabel));
    }
    for (const link of document.querySelectorAll("a[data-keep-lang]")) {
      const url = new URL(link.href);
      url.searchParams.set("lang", language);
      link.href = url.pathname + url.search;
    }
    const title = root.dataset.topicTitle || text("chat_title");
    document.title = title + " - " + text("title_suffix");
    for (const button of switches) {
      button.setAttribute("aria-pressed", String(button.dataset.language === language));
    }
  }

  // Keep ?lang= in the address only where it was (a nurse's link) or after a switch, so a
  // reload is drawn by the server in the conversation's language.
  function rememberLanguageInAddress() {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", state.language);
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  function setLanguage(language) {
    if (!known(language) || language === state.language) return;
    state.language = language;
    saveState();
    showLanguage();
    rememberLanguageInAddress();
  }

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
    const strings = STRINGS[known(entry.lang) || state.language];
    const item = window.ChatRender.renderMessage(entry, send, strings);
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

  // Each message goes with the conversation's language (Rasa's metadata). A built-in reply
  // written in another language (the person asked for it in words) moves the page to it;
  // an article does not, as it may be the English version of one not yet in French.
  async function send(message, shown, shownLanguage) {
    if (busy) return;
    const language = state.language;
    if (shown) add({ kind: "user", text: shown, lang: shownLanguage || language });
    setBusy(true);
    try {
      const response = await fetch(root.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": language },
        credentials: "same-origin",
        body: JSON.stringify({ session_id: state.sessionId, message: message, language: language }),
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok && Array.isArray(data.messages)) {
        if (typeof data.reference === "string" && data.reference !== state.reference) {
          state.reference = data.reference;
          showReference();
        }
        for (const reply of data.messages) {
          const written = known(reply.language) || language;
          if (!reply.kb_article) setLanguage(written);
          add(Object.assign({ kind: "bot" }, reply, { lang: written }));
        }
      } else {
        add({ kind: "error", text: data.error || text("unavailable", language), lang: language });
      }
    } catch (error) {
      add({ kind: "error", text: text("unavailable", language), lang: language });
    } finally {
      setBusy(false);
    }
  }

  // --- controls ---
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (!typed || busy) return;
    input.value = "";
    send(typed, typed);
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
    return {
      sessionId: data.session_id,
      reference: data.reference,
      language: state.language,
      entries: [],
    };
  }

  document.getElementById("start-over").addEventListener("click", async () => {
    if (busy) return;
    setBusy(true);
    let fresh;
    try {
      fresh = await newConversation();
    } catch (error) {
      add({ kind: "error", text: text("unavailable"), lang: state.language });
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

  for (const button of switches) {
    button.addEventListener("click", () => setLanguage(button.dataset.language));
  }

  // --- start: restore the conversation, then open the nurse's topic or greet ---
  saveState();
  showLanguage();
  showReference();
  for (const entry of state.entries) renderEntry(entry);
  if (params.has("topic")) {
    // The topic is answered once; a reload must not ask it again.
    params.delete("topic");
    const rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }
  if (root.dataset.topicPayload) {
    send(root.dataset.topicPayload, root.dataset.topicTitle, root.dataset.topicLanguage);
  } else if (root.dataset.topicMissing === "true") {
    add({ kind: "note", text: text("topic_not_found"), lang: state.language });
    if (state.entries.length === 1) send(GREETING);
  } else if (!state.entries.length) {
    send(GREETING);
  }
})();
