// How a chat message looks, shared by the patient chat and the staff editor's preview,
// so the preview is the very same DOM and CSS. No HTML strings: every node is built
// with createElement/textContent, so nothing an article says can run as code.
"use strict";

(function () {
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
      parent.appendChild(newTabLink(href, raw));
      last = match.index + raw.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function newTabLink(href, text) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = " (opens in a new tab)";
    link.appendChild(hint);
    return link;
  }

  // The source line as text, with each source's name (as it appears in the line, in
  // order) turned into a link to its page when it has an http(s) address.
  function sourceLine(parent, line, sources) {
    let last = 0;
    for (const source of Array.isArray(sources) ? sources : []) {
      if (!source || typeof source.name !== "string" || !source.name) continue;
      const href = typeof source.url === "string" ? safeUrl(source.url) : null;
      const at = line.indexOf(source.name, last);
      if (!href || at < 0) continue;
      parent.appendChild(document.createTextNode(line.slice(last, at)));
      parent.appendChild(newTabLink(href, source.name));
      last = at + source.name.length;
    }
    parent.appendChild(document.createTextNode(line.slice(last)));
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

  // Build one message element. `entry.kind` is user, bot, note or error; a bot entry
  // has text, source_line, sources, buttons and urgent as the web app's /api/message returns
  // them. `onChoice(payload, title)` runs when a related-topic button is pressed.
  function renderMessage(entry, onChoice) {
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
        sourceLine(source, entry.source_line, entry.sources);
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
          if (onChoice) choice.addEventListener("click", () => onChoice(button.payload, button.title));
          group.appendChild(choice);
        }
        item.appendChild(group);
      }
    } else {
      // "note" (a polite remark of the page) or "error" (the assistant could not answer)
      if (entry.kind === "error") item.setAttribute("role", "alert");
      paragraphs(item, entry.text);
    }
    return item;
  }

  window.ChatRender = Object.freeze({ renderMessage: renderMessage });
})();
