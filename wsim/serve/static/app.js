// The what-if page: send the form, follow the run's progress, show its result.
// Plain JavaScript, no library and nothing loaded from the network.
"use strict";
(function () {
  const form = document.getElementById("levers");
  const progress = document.getElementById("progress");
  const bar = document.getElementById("bar");
  const progressText = document.getElementById("progress-text");
  const result = document.getElementById("result");
  const kept = document.getElementById("kept");
  const general = document.getElementById("general-problems");
  let current = null;

  function clearMessages() {
    general.textContent = "";
    for (const span of form.querySelectorAll(".message")) span.textContent = "";
    for (const field of form.querySelectorAll(".invalid")) field.classList.remove("invalid");
  }

  function showProblems(answer) {
    for (const [id, message] of Object.entries(answer.problems || {})) {
      const span = form.querySelector(`.message[data-for="${CSS.escape(id)}"]`);
      if (span) {
        span.textContent = message;
        span.closest(".field").classList.add("invalid");
      } else {
        answer.general = (answer.general || []).concat([`${id}: ${message}`]);
      }
    }
    const lines = answer.general || [];
    general.textContent = lines.join("\n");
    const first = form.querySelector(".invalid") || (lines.length ? general : null);
    if (first) first.scrollIntoView({ block: "center" });
  }

  async function loadBaseline() {
    const box = document.getElementById("baseline");
    const response = await fetch(box.dataset.url);
    box.innerHTML = await response.text();
    if (box.querySelector(".pending")) setTimeout(loadBaseline, 700);
  }

  function addKept(job, name) {
    const item = document.createElement("li");
    item.dataset.job = job;
    item.dataset.state = "queued";
    const label = document.createElement("label");
    const pick = document.createElement("input");
    pick.type = "checkbox";
    pick.className = "pick";
    pick.value = job;
    label.append(pick, " " + name);
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = "queued";
    const save = document.createElement("a");
    save.href = `/jobs/${job}/overlay.yaml`;
    save.className = "save";
    save.setAttribute("download", "");
    save.textContent = "save as reform option";
    item.append(label, " ", state, " ", save);
    kept.prepend(item);
    return item;
  }

  async function follow(job, item) {
    const response = await fetch(`/jobs/${job}`);
    const status = await response.json();
    item.dataset.state = status.state;
    item.querySelector(".state").textContent = status.state;
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    progressText.textContent = `${status.state}: ${status.done} of ${status.total} replications`;
    if (status.state === "queued" || status.state === "running") {
      setTimeout(() => follow(job, item), 250);
      return;
    }
    progress.hidden = true;
    current = null;
    document.getElementById("run").disabled = false;
    if (status.state === "done") {
      item.querySelector(".pick").checked = true;
      const answer = await fetch(`/jobs/${job}/result`);
      result.innerHTML = await answer.text();
      showResult();
    } else {
      result.innerHTML = "";
      const note = document.createElement("p");
      note.className = "note";
      note.id = "run-stopped";
      note.textContent = status.state === "cancelled"
        ? "The run was cancelled." : `The run failed: ${status.error}`;
      result.append(note);
    }
  }

  // Bring the result into view when its top is off the screen (below the levers on a phone).
  function showResult() {
    const top = result.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.8) result.scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessages();
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch("/run", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const answer = await response.json();
    if (response.status !== 202) {
      showProblems(answer);
      return;
    }
    current = answer.job;
    document.getElementById("run").disabled = true;
    progress.hidden = false;
    bar.value = 0;
    progressText.textContent = "queued";
    follow(answer.job, addKept(answer.job, answer.name));
  });

  form.addEventListener("reset", () => setTimeout(clearMessages, 0));

  document.getElementById("cancel").addEventListener("click", async () => {
    if (current) await fetch(`/jobs/${current}/cancel`, { method: "POST" });
  });

  function picked() {
    return Array.from(kept.querySelectorAll(".pick:checked")).map((box) => box.value).join(",");
  }

  document.getElementById("compare").addEventListener("click", async () => {
    const response = await fetch(`/compare?ids=${encodeURIComponent(picked())}`);
    document.getElementById("comparison").innerHTML = await response.text();
  });

  document.getElementById("report").addEventListener("click", () => {
    window.open(`/report?ids=${encodeURIComponent(picked())}`, "_blank");
  });

  loadBaseline();
})();
