// The framework pages' side of the browser tests. The pages are served from another origin than
// the test runner's, so they report by postMessage: the parameters come from the URL
// (`?api=…&jobs=109,102&token109=…&token102=…`), commands come back as `{ show: jobId }`.
export const params = new URLSearchParams(location.search);
export const api = params.get("api");
export const jobs = (params.get("jobs") || "").split(",").map(Number);
export const tokenFor = (jobId) => params.get(`token${jobId}`) || undefined;

const report = { probe: document.documentElement.dataset.probe, errors: [], finished: [], cards: [] };

function send() {
  report.cards = [...document.querySelectorAll("tensorpix-job-card")].map((card) => ({
    jobId: card.getAttribute("job-id"),
    status: card.getAttribute("status"),
    error: card.getAttribute("error"),
    label: card.shadowRoot?.querySelector(".tpx-status-label")?.textContent ?? null,
  }));
  parent.postMessage(report, "*");
}

addEventListener("error", (event) => {
  report.errors.push(String(event.message));
  send();
});
addEventListener("unhandledrejection", (event) => {
  report.errors.push(String(event.reason));
  send();
});
new MutationObserver(send).observe(document, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: ["status", "error", "job-id"],
});
// The card renders its shadow tree after it sets `status`, and no observer out here sees that.
setInterval(send, 200);

// Calls `show(jobId)` when the test asks the page to show another job.
export function onShow(show) {
  addEventListener("message", (event) => {
    if (event.source === parent && typeof event.data?.show === "number") show(event.data.show);
  });
}

// What the framework's event handler received.
export function finished(detail) {
  report.finished.push({ jobId: detail.job.id, downloadUrl: detail.downloadUrl });
  send();
}
