// Embed snippet for the hospital's own pages:
//   <script src="https://CHAT-ADDRESS/static/embed.js" defer></script>
// It adds a "Questions about immunotherapy?" button that opens the chat in a frame.
// The chat itself runs on its own origin, so the host page never sees the conversation.
"use strict";

(function () {
  const script = document.currentScript;
  if (!script || document.getElementById("immunotherapy-chat-launcher")) return;
  const origin = new URL(script.src).origin;

  const button = document.createElement("button");
  button.id = "immunotherapy-chat-launcher";
  button.type = "button";
  button.textContent = "Questions about immunotherapy?";
  button.setAttribute("aria-expanded", "false");
  Object.assign(button.style, {
    position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483000",
    padding: "0.75rem 1rem", font: "inherit", fontSize: "1rem", color: "#ffffff",
    background: "#0b4f8a", border: "2px solid #ffffff", borderRadius: "1.5rem", cursor: "pointer",
  });

  const frame = document.createElement("iframe");
  frame.title = "Immunotherapy information chat";
  frame.src = origin + "/?embed=1";
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
