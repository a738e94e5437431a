// Progressive enhancement only: every page works without this file.
import { initAll } from "./nhsuk/nhsuk-frontend.min.mjs";

initAll();

// After htmx swaps in a section, move focus to the element the trigger names, so keyboard
// and screen-reader users land on the new content instead of the top of the page.
document.addEventListener("htmx:afterSwap", (event) => {
  const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  const selector = trigger && trigger.getAttribute("data-focus");
  const target = selector ? document.querySelector(selector) : null;
  if (target) target.focus();
});

// Forms marked `data-swap-invalid` show the server's 422 or 413 answer (the form's errors, an
// upload's problem report) in place, where htmx would otherwise discard an error response.
document.addEventListener("htmx:beforeSwap", (event) => {
  const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (trigger && trigger.hasAttribute("data-swap-invalid") && [413, 422].includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Upload progress: a form with `data-upload-progress="#area"` reveals that area's <progress>
// when it is sent and fills it from htmx's upload progress events.
function uploadProgress(elt) {
  const selector = elt && elt.getAttribute && elt.getAttribute("data-upload-progress");
  const area = selector ? document.querySelector(selector) : null;
  return area ? { area, bar: area.querySelector("progress") } : null;
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const found = uploadProgress(event.detail.elt);
  if (!found || !found.bar) return;
  found.bar.value = 0;
  found.bar.textContent = "0%";
  found.area.hidden = false;
});

document.addEventListener("htmx:xhr:progress", (event) => {
  const found = uploadProgress(event.target);
  if (!found || !found.bar || !event.detail.lengthComputable || !event.detail.total) return;
  const percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  // The upload's events come first, then the answer's download: the bar never moves back.
  if (percent > found.bar.value) {
    found.bar.value = percent;
    found.bar.textContent = `${percent}%`;
  }
});

// The agenda (web/routes/meeting_agenda.py): an answer may name where focus should land once it
// is in the page (`data-autofocus`: the item just added, changed or moved, whose id the form
// could not know beforehand). htmx fires afterSwap once per swapped section (out-of-band ones
// too), and the `data-focus` handler above answers each; this one, registered after it, has the
// last word every time, and the mark is dropped once the answer has settled.
document.addEventListener("htmx:afterSwap", () => {
  const target = document.querySelector("[data-autofocus]");
  if (target && document.activeElement !== target) target.focus();
});
document.addEventListener("htmx:afterSettle", () => {
  for (const marked of document.querySelectorAll("[data-autofocus]")) marked.removeAttribute("data-autofocus");
});

// Papers (web/routes/meeting_papers.py): a file input inside `[data-drop-zone]` also takes a file
// dropped on its zone (the input is filled, so the form sends it as if picked; without JavaScript
// the plain input works as ever), and a file over the zone's `data-max-mb` is refused before it
// is sent, with the same words the server would use.
function fileProblem(zone, input) {
  const limit = Number(zone.getAttribute("data-max-mb") || 0);
  const file = input.files && input.files[0];
  return file && limit && file.size > limit * 1024 * 1024 ? `The file must be smaller than ${limit} MB` : "";
}

function showFileProblem(zone, input, message) {
  let note = zone.querySelector(".ata-drop__problem");
  if (!message) {
    if (note) note.remove();
    return;
  }
  if (!note) {
    note = document.createElement("span");
    note.className = "nhsuk-error-message ata-drop__problem";
    note.id = `${input.id}-client-error`;
    input.before(note);
  }
  note.textContent = `Error: ${message}`;
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(note.id)) input.setAttribute("aria-describedby", [...described, note.id].join(" "));
}

function initDropZones() {
  for (const zone of document.querySelectorAll("[data-drop-zone]:not([data-drop-ready])")) {
    const input = zone.querySelector("input[type=file]");
    if (!input) continue;
    zone.setAttribute("data-drop-ready", "");
    const hint = document.createElement("p");
    hint.className = "nhsuk-body-s ata-drop__hint";
    hint.textContent = "Or drag a file here.";
    input.after(hint);
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("ata-drop--over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("ata-drop--over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("ata-drop--over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      hint.textContent = file ? `Chosen: ${file.name}` : "Or drag a file here.";
      showFileProblem(zone, input, fileProblem(zone, input));
    });
  }
}

initDropZones();
document.addEventListener("htmx:load", initDropZones);
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (!form || !form.querySelectorAll) return;
  for (const zone of form.querySelectorAll("[data-drop-zone]")) {
    const input = zone.querySelector("input[type=file]");
    const message = input ? fileProblem(zone, input) : "";
    if (message) {
      event.preventDefault();
      showFileProblem(zone, input, message);
      input.focus();
      return;
    }
  }
});

// Scheduling (web/routes/meeting_schedule.py): a form page answered with mistakes (422, without
// htmx) opens with focus on its error summary, so the problems are read out first.
{
  const summary = document.querySelector("[data-error-focus] .nhsuk-error-summary");
  if (summary && (!document.activeElement || document.activeElement === document.body)) summary.focus();
}

// Record edits (web/routes/meeting_record_edit.py): a Print button on the printable chair's
// summary (`data-print-button` names its label), added here so that readers without JavaScript
// never meet a button that does nothing (the browser's own Print works for them).
for (const slot of document.querySelectorAll("[data-print-button]")) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "nhsuk-button nhsuk-button--secondary";
  button.textContent = slot.getAttribute("data-print-button") || "Print";
  button.addEventListener("click", () => window.print());
  slot.append(button);
}
