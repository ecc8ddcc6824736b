// The React page of the browser tests: the README's component, its job id held in state.
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { JobStatus } from "./JobStatus.jsx";
import { api, finished, jobs, onShow, tokenFor } from "../report.js";

function App() {
  const [jobId, setJobId] = useState(jobs[0]);
  useEffect(() => onShow(setJobId), []);
  return <JobStatus jobId={jobId} token={tokenFor(jobId)} apiBase={api} onFinished={finished} />;
}

createRoot(document.getElementById("app")).render(<App />);
