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

// An error page for a part of a page (web/errors.py retargets it to the main content) is shown,
// whatever its status, rather than dropped.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.getResponseHeader("HX-Retarget") === "#maincontent") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A form answered with its mistakes (422, or 409/413) is swapped in like a success: base.html's
// htmx-config `responseHandling` says so for every form. Here the page then says so too: its title
// starts "Error: " (as a page answered without JavaScript does) until a later answer succeeds.
document.addEventListener("htmx:afterSwap", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 200;
  const marked = document.title.startsWith("Error: ");
  if ([409, 413, 422].includes(status) && !marked) document.title = `Error: ${document.title}`;
  else if (status < 300 && marked && !document.querySelector(".nhsuk-error-summary")) {
    document.title = document.title.slice("Error: ".length);
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
// Form problems (web/forms.py): an answer with mistakes puts focus on its error summary (or, for a
// one-field form with no summary, the field in error), so the problem is read out first.
document.addEventListener("htmx:afterSwap", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 200;
  const problem = [409, 413, 422].includes(status)
    ? document.querySelector(".nhsuk-error-summary") ||
      document.querySelector(".nhsuk-form-group--error :is(input, textarea, select)")
    : null;
  const target = document.querySelector("[data-autofocus]") || problem;
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

// A page answered with mistakes (422, without htmx) opens with focus on its error summary, so the
// problems are read out first; a page answered with a notice (`data-autofocus`: what was just done,
// next to where it was done) opens with focus there.
{
  const first = document.querySelector(".nhsuk-error-summary") || document.querySelector("[data-autofocus]");
  if (first && (!document.activeElement || document.activeElement === document.body)) first.focus();
  for (const marked of document.querySelectorAll("[data-autofocus]")) marked.removeAttribute("data-autofocus");
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

// People and accounts (web/routes/people.py, admin.py): a page opened after a change (`?done=`)
// moves focus to its notice (`data-notice-focus`), so the result is read out where the person is.
{
  const notice = document.querySelector("[data-notice-focus]");
  if (notice && (!document.activeElement || document.activeElement === document.body)) notice.focus();
}

// My account (web/routes/account.py): a Copy button for a read-only field (`data-copy-from` names
// it), added here so that without JavaScript there is no button that does nothing (the field's
// text can still be selected and copied). The result is announced in the slot's status line.
for (const slot of document.querySelectorAll("[data-copy-from]")) {
  const field = document.querySelector(slot.getAttribute("data-copy-from"));
  if (!field) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "nhsuk-button nhsuk-button--secondary";
  button.textContent = slot.getAttribute("data-copy-label") || "Copy";
  const status = document.createElement("p");
  status.className = "nhsuk-body-s";
  status.setAttribute("role", "status");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = slot.getAttribute("data-copied-label") || "Copied";
    } catch {
      // No clipboard (an insecure page, or permission refused): select the text for the person to copy.
      field.focus();
      field.select();
      status.textContent = "Press Ctrl+C (or Cmd+C on a Mac) to copy the selected link";
    }
  });
  slot.append(button, status);
}
