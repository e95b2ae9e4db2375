// How a chat message looks, shared by the patient chat and the staff editor's preview,
// so the preview is the very same DOM and CSS. No HTML strings: every node is built
// with createElement/textContent, so nothing an article says can run as code.
// Its words come from the page (web/i18n.py through the chat's data-strings), in the
// message's own language: this file holds no text of its own.
"use strict";

(function () {
  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/g;
  let say = (key) => ""; // the texts of the message being built (set by renderMessage)
  // A page that calls renderMessage without strings (the staff editor's preview) puts
  // both languages on this script's tag: data-strings="{{ chat_strings() }}".
  const TAG_STRINGS = (function () {
    try {
      return JSON.parse((document.currentScript && document.currentScript.dataset.strings) || "{}");
    } catch (error) {
      return {};
    }
  })();

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
    hint.textContent = say("new_tab");
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

  // --- tap-to-call links (the urgent answer) and trial cards (the trial finder) ---
  const TEL = /^\+?\d{2,15}$/;

  // Big "Call ..." links, before the answer's text. Only digits (and a leading +) may
  // follow "tel:"; the web app checked them already, this keeps the page safe alone.
  function renderCalls(parent, calls) {
    if (!Array.isArray(calls)) return;
    const group = document.createElement("div");
    group.className = "calls";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", say("calls_label"));
    for (const call of calls) {
      if (!call || typeof call.label !== "string" || !TEL.test(String(call.tel))) continue;
      const link = document.createElement("a");
      link.className = "call";
      link.href = "tel:" + call.tel;
      link.textContent = call.label;
      group.appendChild(link);
    }
    if (group.childElementCount) parent.appendChild(group);
  }

  function httpsUrl(candidate) {
    const href = safeUrl(candidate);
    return href && href.startsWith("https://") ? href : null;
  }

  function field(list, name, value) {
    if (!value) return;
    const term = document.createElement("dt");
    term.textContent = name;
    const detail = document.createElement("dd");
    detail.textContent = value;
    list.append(term, detail);
  }

  // One card per trial: title, phase, open or not, where, ages, link, the record's date.
  function renderTrials(parent, trials) {
    if (!Array.isArray(trials) || !trials.length) return;
    const list = document.createElement("ol");
    list.className = "trials";
    list.setAttribute("aria-label", say("trials_label"));
    for (const trial of trials) {
      const href = trial && httpsUrl(trial.url);
      if (!href) continue;
      const card = document.createElement("li");
      card.className = "trial-card";
      const title = document.createElement("h2");
      title.className = "trial-title";
      title.textContent = trial.title;
      card.appendChild(title);
      const facts = document.createElement("dl");
      facts.className = "trial-facts";
      field(facts, say("trial_phase"), trial.phase);
      field(facts, say("trial_open"), trial.status);
      field(facts, say("trial_where"), trial.where);
      field(facts, say("trial_ages"), trial.ages);
      card.appendChild(facts);
      if (trial.note) {
        const note = document.createElement("p");
        note.textContent = trial.note;
        card.appendChild(note);
      }
      const link = document.createElement("a");
      link.className = "trial-link";
      link.href = href;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.textContent = say("trial_link");
      link.appendChild(label(say("trial_link_hint").replace("{nct_id}", trial.nct_id || "")));
      card.appendChild(link);
      const record = document.createElement("p");
      record.className = "trial-record";
      record.textContent = trial.record;
      card.appendChild(record);
      list.appendChild(card);
    }
    if (list.childElementCount) parent.appendChild(list);
  }

  // Build one message element. `entry.kind` is user, bot, note or error; a bot entry
  // has text, source_line, sources, buttons and urgent as the web app's /api/message returns
  // them; `entry.lang` is the language it is written in (its `lang` attribute).
  // `onChoice(payload, title)` runs when a related-topic button is pressed; `strings`
  // are the page's texts in that language (key -> text).
  function renderMessage(entry, onChoice, strings) {
    // `lang` as the chat stores it; `language` as /api/message (and the preview) sends it.
    const written = [entry.lang, entry.language].find((v) => typeof v === "string" && v);
    const texts =
      strings || TAG_STRINGS[written] || TAG_STRINGS[document.documentElement.lang] || TAG_STRINGS.en;
    say = (key) => (texts && typeof texts[key] === "string" ? texts[key] : "");
    const item = document.createElement("div");
    item.className = "msg msg-" + entry.kind;
    if (written) item.lang = written;
    if (entry.kind === "user") {
      item.appendChild(label(say("you_said")));
      paragraphs(item, entry.text);
    } else if (entry.kind === "bot") {
      if (entry.urgent) {
        item.classList.add("msg-urgent");
        item.setAttribute("role", "alert");
        if (say("urgent_flag")) {
          const flag = document.createElement("p");
          flag.className = "urgent-flag";
          flag.textContent = say("urgent_flag");
          item.appendChild(flag);
        }
      } else {
        item.appendChild(label(say("assistant_said")));
      }
      renderCalls(item, entry.calls);
      if (entry.text) paragraphs(item, entry.text);
      renderTrials(item, entry.trials);
      if (entry.after_text) paragraphs(item, entry.after_text);
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
        group.setAttribute("aria-label", say("related_label"));
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
