// The Vue page of the browser tests: the README's component, its job id held in a ref.
import { createApp, ref } from "vue";
import { JobStatus } from "./JobStatus.js";
import { api, finished, jobs, onShow, tokenFor } from "../report.js";

const app = createApp({
  components: { JobStatus },
  setup() {
    const jobId = ref(jobs[0]);
    onShow((id) => {
      jobId.value = id;
    });
    return { api, finished, jobId, tokenFor };
  },
  template: `<JobStatus :job-id="jobId" :token="tokenFor(jobId)" :api-base="api" @finished="finished" />`,
});
app.config.compilerOptions.isCustomElement = (tag) => tag === "tensorpix-job-card";
app.mount("#app");
