// The run page of "train and deploy": polls the run's JSON status until it ends.
"use strict";

(function () {
  const section = document.getElementById("run");
  if (!section || section.dataset.running !== "yes") {
    return;
  }
  const url = section.dataset.statusUrl;
  const field = (id) => document.getElementById(id);

  function testsText(results) {
    if (results.stories_total !== undefined) {
      return results.stories_passed + " of " + results.stories_total + " test stories passed.";
    }
    if (results.stories_current === false) {
      return "The test stories are out of date.";
    }
    if (results.stories_failed) {
      return results.stories_failed + " test story failed.";
    }
    return "Not tested yet.";
  }

  function show(status) {
    field("run-state").textContent = status.state;
    field("run-stage").textContent = status.stage || "";
    field("run-elapsed").textContent = String(status.elapsed);
    field("run-progress").value = status.percent;
    field("run-progress").textContent = status.percent + "%";
    field("run-percent").textContent = String(status.percent);
    field("run-tests").textContent = testsText(status.test_results);
    const log = field("run-log");
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = status.log;
    if (atBottom) {
      log.scrollTop = log.scrollHeight;
    }
    const error = field("run-error");
    error.textContent = status.error || "";
    error.hidden = !status.error;
  }

  async function poll() {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const status = await response.json();
        show(status);
        if (!status.running) {
          return; // finished: deployed or failed
        }
      }
    } catch (error) {
      // the web app is restarting or the network dropped: try again shortly
    }
    window.setTimeout(poll, 2000);
  }

  window.setTimeout(poll, 1000);
})();
