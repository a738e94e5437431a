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
