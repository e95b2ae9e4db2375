// The handout's "Print this page" button.
"use strict";

(function () {
  const button = document.getElementById("print-handout");
  if (button) button.addEventListener("click", () => window.print());
})();
