// The staff editor's live preview: as the author types, the draft is sent to the web
// app, which renders it exactly as the assistant would; the reply is drawn with the
// chat's own renderer (chat-render.js), with the reading grade, word counts and the
// `kb check` problems shown next to each field. Built with textContent only.
"use strict";

(function () {
  const form = document.getElementById("editor");
  if (!form || !window.ChatRender) return;
  const preview = document.getElementById("preview");
  const previewDetails = document.getElementById("preview-details");
  const status = document.getElementById("preview-status");
  const SKIPPED = new Set(["csrf_token", "reason", "based_on", "action"]);
  const DELAY_MS = 400;
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
    const line = document.getElementById("measure-" + name);
    if (!line || !measure) return;
    const parts = [measure.words + " words (at most " + measure.max_words + ")"];
    if (measure.grade === null) {
      parts.push("too short for a reading grade");
    } else {
      parts.push("reading grade " + measure.grade.toFixed(1) + " (at most " + measure.max_grade + ")");
    }
    line.textContent = parts.join(" · ");
    const over = measure.words > measure.max_words || (measure.grade !== null && measure.grade > measure.max_grade);
    line.classList.toggle("warning", over);
  }

  function showProblems(problems) {
    const byField = new Map();
    for (const problem of problems) {
      const box = document.getElementById("problems-" + (problem.field || "article")) ||
        document.getElementById("problems-article");
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
})();
