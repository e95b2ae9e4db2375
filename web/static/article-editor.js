// The staff editor's live preview: as the author types, the draft is sent to the web
// app, which renders it exactly as the assistant would; the reply is drawn with the
// chat's own renderer (chat-render.js), with the reading grade, word counts and the
// `kb check` problems shown next to each field. Built with textContent only.
// Each language version of the article has its own form (ids start with its
// `data-prefix`: none for English, "fr-" for French), previewed on its own.
"use strict";

(function () {
  if (!window.ChatRender) return;
  const SKIPPED = new Set(["csrf_token", "reason", "based_on", "action"]);
  const DELAY_MS = 400;
  for (const form of document.querySelectorAll("form.editor-form[data-preview]")) {
    attach(form);
  }

  function attach(form) {
    const prefix = form.dataset.prefix || "";
    const byId = (id) => document.getElementById(prefix + id);
    const preview = byId("preview");
    const previewDetails = byId("preview-details");
    const status = byId("preview-status");
    let timer = null;
    let sent = 0;

    function draft() {
      const values = {};
      for (const [name, value] of new FormData(form)) {
        if (!SKIPPED.has(name) && typeof value === "string") values[name] = value;
      }
      return values;
    }

    function showMessages(target, messages, empty) {
      target.replaceChildren();
      if (!messages.length) {
        const note = document.createElement("p");
        note.className = "hint";
        note.textContent = empty;
        target.appendChild(note);
        return;
      }
      for (const message of messages) {
        target.appendChild(window.ChatRender.renderMessage(Object.assign({ kind: "bot" }, message)));
      }
    }

    function showMeasure(name, measure) {
      const line = byId("measure-" + name);
      if (!line || !measure) return;
      const parts = [measure.words + " words (at most " + measure.max_words + ")"];
      const french = measure.language === "fr"; // French reads by reading ease: higher is easier
      const level = french ? measure.ease : measure.grade;
      if (level === null || level === undefined) {
        parts.push(french ? "too short for a reading ease" : "too short for a reading grade");
      } else if (french) {
        parts.push("French reading ease " + level.toFixed(1) + " (at least " + measure.min_ease + ")");
      } else {
        parts.push("reading grade " + level.toFixed(1) + " (at most " + measure.max_grade + ")");
      }
      line.textContent = parts.join(" · ");
      const hard = level !== null && level !== undefined &&
        (french ? level < measure.min_ease : level > measure.max_grade);
      const over = measure.words > measure.max_words || hard;
      line.classList.toggle("warning", over);
    }

    function showProblems(problems) {
      const byField = new Map();
      for (const problem of problems) {
        const box = byId("problems-" + (problem.field || "article")) || byId("problems-article");
        if (!byField.has(box)) byField.set(box, []);
        byField.get(box).push(problem);
      }
      for (const box of form.querySelectorAll(".field-error[data-field]")) {
        const found = byField.get(box) || [];
        box.replaceChildren();
        for (const problem of found) {
          const line = document.createElement("span");
          line.className = "problem problem-" + problem.severity;
          line.textContent = (problem.severity === "error" ? "Error: " : "Warning: ") + problem.message;
          box.appendChild(line);
        }
        const field = box.dataset.field ? document.getElementById(box.dataset.field) : null;
        if (field) field.setAttribute("aria-invalid", found.length ? "true" : "false");
      }
    }

    async function refresh() {
      const ticket = ++sent;
      status.textContent = "Updating the preview…";
      try {
        const response = await fetch(form.dataset.preview, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
          credentials: "same-origin",
          body: JSON.stringify(draft()),
        });
        const data = await response.json().catch(() => ({}));
        if (ticket !== sent) return; // a newer preview is on its way
        if (!response.ok) {
          status.textContent = data.error || "The preview is not available right now.";
          return;
        }
        showMessages(preview, data.messages || [], "Write an answer to see it here.");
        showMessages(previewDetails, data.details || [], "No more detail: the answer is shown again.");
        showMeasure("answer", data.measures && data.measures.answer);
        showMeasure("details", data.measures && data.measures.details);
        showProblems(data.problems || []);
        const errors = (data.problems || []).filter((p) => p.severity === "error").length;
        status.textContent = errors
          ? errors + " problem(s) to fix before this can be submitted or published."
          : "Preview up to date. No problems found.";
      } catch (error) {
        if (ticket === sent) status.textContent = "The preview is not available right now.";
      }
    }

    form.addEventListener("input", (event) => {
      if (event.target && SKIPPED.has(event.target.name)) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
    refresh();
  }
})();
