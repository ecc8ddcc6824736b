// The strict-CSP host page's only script besides the bundle (served by xtask's static server as
// /csp/csp-probe.js; an inline script would be blocked). It records every CSP violation and every
// error, adds the card named by the page's query (`job`, `api`, `key`), and posts what it sees to
// the test in the parent page every 200 ms, since that page is on another origin.
"use strict";
const seen = { violations: [], errors: [] };
document.addEventListener(
  "securitypolicyviolation",
  (event) => seen.violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`),
  true,
);
window.addEventListener("error", (event) => seen.errors.push(String(event.message)));
window.addEventListener("unhandledrejection", (event) => seen.errors.push(String(event.reason)));
document.addEventListener("DOMContentLoaded", () => {
  const query = new URLSearchParams(location.search);
  const card = document.createElement("tensorpix-job-card");
  card.setAttribute("job-id", query.get("job"));
  card.setAttribute("api-base", query.get("api"));
  card.setAttribute("api-key", query.get("key"));
  document.querySelector("main").append(card);
  setInterval(() => {
    const inside = (selector) => card.shadowRoot && card.shadowRoot.querySelector(selector);
    const computed = (selector, property) => {
      const element = inside(selector);
      return element ? getComputedStyle(element).getPropertyValue(property) : null;
    };
    parent.postMessage(
      {
        probe: "strict-csp",
        violations: seen.violations,
        errors: seen.errors,
        status: card.getAttribute("status"),
        hostDisplay: getComputedStyle(card).display,
        adoptedSheets: card.shadowRoot ? card.shadowRoot.adoptedStyleSheets.length : 0,
        styleElements: card.shadowRoot ? card.shadowRoot.querySelectorAll("style").length : 0,
        cardRadius: computed("article", "border-top-left-radius"),
        badgeRadius: computed(".tpx-status", "border-top-left-radius"),
        clipPath: computed(".tpx-comparison-after", "clip-path"),
        lineLeft: computed(".tpx-comparison-line", "left"),
      },
      "*",
    );
  }, 200);
});
