import "tensorpix-job-card";

// React 19 passes attributes to a custom element as they are, and `on<event>` props become listeners.
export function JobStatus({ jobId, token, apiBase = "/tensorpix", onFinished }) {
  return (
    <tensorpix-job-card
      job-id={jobId}
      api-base={apiBase}
      token={token}
      ontensorpix-job-finished={(event) => onFinished(event.detail)}
    />
  );
}
