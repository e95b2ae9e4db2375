// Copy buttons of the topic list. Their words come from the page (data-copied,
// data-copy-by-hand on the status line), in the page's language.
"use strict";

(function () {
  const status = document.getElementById("copy-status");

  async function copy(field) {
    try {
      await navigator.clipboard.writeText(field.value);
      return true;
    } catch (error) {
      field.select(); // no clipboard access (plain http): leave it selected to copy by hand
      return document.execCommand && document.execCommand("copy");
    }
  }

  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      const copied = await copy(field);
      status.textContent = copied
        ? status.dataset.copied + field.value
        : status.dataset.copyByHand;
    });
  }
})();
