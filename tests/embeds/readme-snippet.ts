import "tensorpix-job-card";

const card = document.createElement("tensorpix-job-card");
card.jobId = 4711;
card.addEventListener("tensorpix-job-finished", (event) => {
  console.log(event.detail.job.input_video.name, event.detail.downloadUrl); // string, string | null
});
