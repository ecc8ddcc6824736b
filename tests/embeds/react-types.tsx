// Type-checked with `tsc --strict`: the element in React 19's JSX, through the package's `./react`
// typings. The `@ts-expect-error` lines must be errors, or tsc fails.
import "tensorpix-job-card";
import type {} from "tensorpix-job-card/react";
import type { TensorpixJobCardElement } from "tensorpix-job-card";
import { useRef } from "react";

export function JobCard({ jobId, token }: { jobId: number; token?: string }) {
  const card = useRef<TensorpixJobCardElement>(null);
  return (
    <tensorpix-job-card
      ref={card}
      job-id={jobId}
      api-base="/tensorpix"
      token={token}
      theme="dark"
      className="job"
      ontensorpix-job-finished={(event) => console.log(event.detail.downloadUrl, card.current?.status)}
      ontensorpix-job-error={(event) => console.warn(event.detail.kind, event.detail.status)}
    />
  );
}

export function Mistakes() {
  return (
    <>
      {/* @ts-expect-error the card has no sepia theme */}
      <tensorpix-job-card job-id={1} theme="sepia" />
      {/* @ts-expect-error a card needs its job id */}
      <tensorpix-job-card api-base="/tensorpix" />
      <tensorpix-job-card
        job-id={1}
        // @ts-expect-error the detail's field is `downloadUrl`
        ontensorpix-job-finished={(event) => console.log(event.detail.downloadURL)}
      />
    </>
  );
}
