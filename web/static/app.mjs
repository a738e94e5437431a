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
