// Embed snippet for the hospital's own pages:
//   <script src="https://CHAT-ADDRESS/static/embed.js" defer></script>
// It adds a "Questions about immunotherapy?" button that opens the chat in a frame.
// The chat itself runs on its own origin, so the host page never sees the conversation.
// The chat opens in the host page's language (<html lang="fr"> -> French); a French page
// names its button in its own words: data-label="Des questions sur l'immunothérapie ?"
// and data-title="Discussion d'information sur l'immunothérapie" on the script tag.
"use strict";

(function () {
  const script = document.currentScript;
  if (!script || document.getElementById("immunotherapy-chat-launcher")) return;
  const origin = new URL(script.src).origin;
  const hostLanguage = (document.documentElement.lang || "").toLowerCase().split("-")[0];
  const chatAddress = new URL("/?embed=1", origin);
  if (hostLanguage === "fr" || hostLanguage === "en") chatAddress.searchParams.set("lang", hostLanguage);

  const button = document.createElement("button");
  button.id = "immunotherapy-chat-launcher";
  button.type = "button";
  button.textContent = script.dataset.label || "Questions about immunotherapy?";
  button.setAttribute("aria-expanded", "false");
  Object.assign(button.style, {
    position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483000",
    padding: "0.75rem 1rem", font: "inherit", fontSize: "1rem", color: "#ffffff",
    background: "#0b4f8a", border: "2px solid #ffffff", borderRadius: "1.5rem", cursor: "pointer",
  });

  const frame = document.createElement("iframe");
  frame.title = script.dataset.title || "Immunotherapy information chat";
  frame.src = chatAddress.href;
  frame.hidden = true;
  Object.assign(frame.style, {
    position: "fixed", right: "1rem", bottom: "4.5rem", zIndex: "2147483000",
    width: "min(26rem, calc(100vw - 2rem))", height: "min(40rem, calc(100vh - 6rem))",
    border: "1px solid #5c6670", borderRadius: "0.5rem", background: "#ffffff",
  });

  button.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    button.setAttribute("aria-expanded", String(!frame.hidden));
    if (!frame.hidden) frame.focus();
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
