// Type-checked with `tsc --strict` against the packed typings: what a TypeScript page writes.
import {
  ready,
  type TensorpixJobCardElement,
  type TensorpixJobCardErrorKind,
  type TensorpixJobCardStatus,
  type TensorpixJobFinishedDetail,
} from "tensorpix-job-card";

await ready;

// The tag name gives the element's type.
const card = document.createElement("tensorpix-job-card");
card.jobId = 102;
card.apiBase = "/tensorpix";
card.theme = "dark";
card.pollInterval = "5";
card.token = null;
const jobId: string | null = card.jobId;
const status: TensorpixJobCardStatus | null = card.status;
const error: TensorpixJobCardErrorKind | null = card.error;
// @ts-expect-error the card sets its status; the page only reads it
card.status = "finished";
// @ts-expect-error themes are auto, light and dark
card.theme = "sepia";
document.body.append(card);

card.addEventListener("tensorpix-job-finished", (event) => {
  const detail: TensorpixJobFinishedDetail = event.detail;
  const url: string | null = detail.downloadUrl;
  const id: number = detail.job.id;
  const name: string = detail.job.input_video.name;
  const bitrate: number | null | undefined = detail.job.output_video?.bitrate;
  const clip: string | null | undefined = detail.job.output_video?.preview_videos?.after_video;
  const unknownField: unknown = detail.job.a_field_of_a_later_api;
  console.log(url, id, name, bitrate, clip, unknownField);
});
card.addEventListener("tensorpix-job-update", (event) => {
  const progress: number | null | undefined = event.detail.job.processing_progress;
  const models: number[] | undefined = event.detail.job.ml_models?.map((model) => model.task);
  console.log(progress, models);
});
card.addEventListener("tensorpix-job-error", (event) => {
  const kind: TensorpixJobCardErrorKind = event.detail.kind;
  const httpStatus: number | null = event.detail.status;
  const message: string = event.detail.message;
  if (kind === "unauthorized") card.token = "a fresh token";
  console.log(httpStatus, message);
});
// The events bubble, so the document's listeners are typed too.
document.addEventListener("tensorpix-job-status-change", (event) => {
  const before: TensorpixJobCardStatus = event.detail.oldStatus;
  const after: TensorpixJobCardStatus = event.detail.newStatus;
  console.log(before, after);
});
// Built-in events keep their own types.
card.addEventListener("click", (event) => console.log(event.clientX));

const found: TensorpixJobCardElement | null = document.querySelector("tensorpix-job-card");
console.log(jobId, status, error, found?.locale);
