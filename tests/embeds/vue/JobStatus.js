import "tensorpix-job-card";

// Tell Vue's compiler the tag is a custom element, not a component:
//   app.config.compilerOptions.isCustomElement = (tag) => tag === "tensorpix-job-card";
// (with Vite: `vue({ template: { compilerOptions: { isCustomElement } } })`).
export const JobStatus = {
  props: { jobId: Number, token: String, apiBase: { type: String, default: "/tensorpix" } },
  emits: ["finished"],
  template: `
    <tensorpix-job-card
      :job-id="jobId"
      :api-base="apiBase"
      :token="token"
      @tensorpix-job-finished="$emit('finished', $event.detail)"
    ></tensorpix-job-card>`,
};
