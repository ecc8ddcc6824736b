// The baseline for `cargo xtask bench`: a minimal hand-written card in plain JavaScript, with the
// same fetch and the same headline fields as the widget, so the first-card time is a ratio.
const params = new URLSearchParams(location.search);
const api = params.get("api");
const host = document.querySelector("#card");
const card = host.attachShadow({ mode: "open" });
fetch(`${api}/api/jobs/${host.dataset.job}/`, { headers: { Authorization: "Token tpx-demo-key" } })
  .then((response) => response.text())
  .then((text) => {
    const job = JSON.parse(text);
    const labels = { 0: "In queue", 1: "Processing", 2: "Finished", "-1": "Failed", "-2": "Canceled" };
    const percent = Math.floor(Math.min(1, Math.max(0, job.processing_progress || 0)) * 100);
    const article = document.createElement("article");
    const name = document.createElement("h2");
    name.textContent = job.input_video.name;
    const status = document.createElement("span");
    status.textContent = labels[job.status] ?? `Unknown status (${job.status})`;
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = percent;
    article.append(name, status, progress);
    const file = job.output_video && job.output_video.file;
    if (file && /^https?:\/\//i.test(file)) {
      const link = document.createElement("a");
      link.href = file;
      link.textContent = "Download enhanced video";
      article.append(link);
    }
    card.append(article);
    host.dispatchEvent(new CustomEvent("tensorpix-job-update", { bubbles: true, composed: true, detail: { job } }));
  });
