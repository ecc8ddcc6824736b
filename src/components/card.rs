//! `JobCard`: fetches one job and shows its status, progress, or what went wrong.

use std::cell::Cell;
use std::rc::Rc;

use tensorpix_models::{Job, JobStatus};
use yew::prelude::*;

use crate::api::{ApiConfig, FetchError, fetch_job};
use crate::format::{format_percent, status_label};

/// The card's inputs.
#[derive(Properties, Clone, PartialEq)]
pub struct JobCardProps {
    /// The TensorPix job to show.
    pub job_id: i64,
    /// The API origin, or a proxy's base URL.
    #[prop_or(AttrValue::Static(crate::api::DEFAULT_API_BASE))]
    pub api_base: AttrValue,
    /// Sent as `Authorization: Token KEY`; leave empty when a proxy adds the key.
    #[prop_or_default]
    pub api_key: Option<AttrValue>,
}

/// What the card knows about its job.
#[derive(Clone, PartialEq)]
enum FetchState {
    Loading,
    Loaded(Rc<Job>),
    Failed(FetchError),
}

/// Shows one TensorPix job.
#[component]
pub fn JobCard(props: &JobCardProps) -> Html {
    let state = use_state(|| FetchState::Loading);
    // Bumped by the retry button: a new value re-runs the fetch effect.
    let attempt = use_state(|| 0_u32);
    let config = ApiConfig { base: props.api_base.to_string(), key: props.api_key.as_ref().map(|key| key.to_string()) };

    {
        let state = state.clone();
        use_effect_with((props.job_id, config, *attempt), move |(job_id, config, _)| {
            // Cleared when the deps change or the card goes away, so a late answer is dropped.
            let current = Rc::new(Cell::new(true));
            state.set(FetchState::Loading);
            let (job_id, config, still_current) = (*job_id, config.clone(), current.clone());
            yew::platform::spawn_local(async move {
                let result = fetch_job(&config, job_id).await;
                if still_current.get() {
                    state.set(match result {
                        Ok(job) => FetchState::Loaded(Rc::new(job)),
                        Err(error) => FetchState::Failed(error),
                    });
                }
            });
            move || current.set(false)
        });
    }

    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |_| attempt.set(attempt.wrapping_add(1)))
    };

    let body = match &*state {
        FetchState::Loading => html! {
            <p class="tpx-loading" role="status">{ format!("Loading job {}…", props.job_id) }</p>
        },
        FetchState::Loaded(job) => view_job(job),
        FetchState::Failed(error) => html! {
            <div class="tpx-error" role="alert" data-error={error.kind()}>
                <p class="tpx-error-title">{ error.title(props.job_id) }</p>
                <p class="tpx-error-text">{ error.explanation() }</p>
                <button type="button" class="tpx-retry" onclick={retry}>{ "Retry" }</button>
            </div>
        },
    };
    html! { <article class="tpx-card" data-job-id={props.job_id.to_string()}>{ body }</article> }
}

fn view_job(job: &Job) -> Html {
    let percent = job.progress_percent();
    html! {
        <>
            <header class="tpx-header">
                <h2 class="tpx-name" title={job.input_video.name.clone()}>{ &job.input_video.name }</h2>
                <span class={classes!("tpx-status", format!("tpx-status-{}", job.status.slug()))}>
                    { status_label(job.status) }
                </span>
            </header>
            if job.status == JobStatus::Processing {
                <div class="tpx-progress">
                    <progress max="100" value={percent.to_string()} aria-label="Progress">{ format_percent(percent) }</progress>
                    <span class="tpx-percent">{ format_percent(percent) }</span>
                </div>
            }
        </>
    }
}
