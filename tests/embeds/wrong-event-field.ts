// Must NOT type-check: the detail's field is `downloadUrl`. `cargo xtask test` expects tsc to fail here.
import "tensorpix-job-card";

document.querySelector("tensorpix-job-card")?.addEventListener("tensorpix-job-finished", (event) => {
  console.log(event.detail.downloadURL);
});
