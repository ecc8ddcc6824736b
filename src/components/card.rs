//! `JobCard`: fetches one job and shows it, or says what went wrong and offers a retry.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use tensorpix_models::{Job, JobStatus};
use yew::prelude::*;

use super::error_view::ErrorView;
use super::job_view::JobView;
use crate::api::{ApiConfig, DEFAULT_API_BASE, FetchError, fetch_job};
use crate::card_model::{Clock, card_model};
use crate::options::Theme;

/// The card's inputs.
#[derive(Properties, Clone, PartialEq)]
pub struct JobCardProps {
    /// The TensorPix job to show.
    pub job_id: i64,
    /// The API origin, or a proxy's base URL.
    #[prop_or(AttrValue::Static(DEFAULT_API_BASE))]
    pub api_base: AttrValue,
    /// Sent as `Authorization: Token KEY`; leave empty when a proxy adds the key.
    #[prop_or_default]
    pub api_key: Option<AttrValue>,
    /// How long to wait for an answer before saying so, in milliseconds.
    #[prop_or(20_000)]
    pub timeout_ms: u32,
    #[prop_or_default]
    pub theme: Theme,
    /// Start with the details (input, output, models, settings) expanded.
    #[prop_or_default]
    pub details_open: bool,
}

/// What the card knows about its job.
#[derive(Clone, PartialEq)]
enum FetchState {
    Loading,
    Loaded(Rc<Job>),
    Failed(FetchError),
}

/// The browser's clock and time zone, for the card model.
fn browser_clock() -> Clock {
    let now = js_sys::Date::new_0();
    // JavaScript's offset is UTC minus local time.
    Clock {
        now_millis: now.get_time() as i64,
        utc_offset_minutes: -(now.get_timezone_offset() as i64),
    }
}

/// Shows one TensorPix job.
#[component]
pub fn JobCard(props: &JobCardProps) -> Html {
    // Styles go in before the first frame, so a card never flashes unstyled.
    use_state(crate::styles::ensure_document_styles);
    let state = use_state(|| FetchState::Loading);
    // Bumped by the retry button: a new value re-runs the fetch effect.
    let attempt = use_state(|| 0_u32);
    // When this card first saw the job waiting in the queue.
    let queued_since = use_mut_ref(|| None::<i64>);
    let config = ApiConfig {
        base: props.api_base.to_string(),
        key: props.api_key.as_ref().map(|key| key.to_string()),
    };
    let timeout = Duration::from_millis(u64::from(props.timeout_ms));

    {
        let (state, queued_since) = (state.clone(), queued_since.clone());
        use_effect_with(
            (props.job_id, config, timeout, *attempt),
            move |(job_id, config, timeout, _)| {
                // Cleared when the deps change or the card goes away, so a late answer is dropped.
                let current = Rc::new(Cell::new(true));
                state.set(FetchState::Loading);
                let (job_id, config, timeout, still_current) = (*job_id, config.clone(), *timeout, current.clone());
                yew::platform::spawn_local(async move {
                    let result = fetch_job(&config, job_id, timeout).await;
                    if still_current.get() {
                        state.set(match result {
                            Ok(job) => {
                                note_queue_time(&queued_since, &job);
                                FetchState::Loaded(Rc::new(job))
                            }
                            Err(error) => FetchState::Failed(error),
                        });
                    }
                });
                move || current.set(false)
            },
        );
    }

    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(attempt.wrapping_add(1)))
    };

    let (body, status) = match &*state {
        FetchState::Loading => (
            html! {
                <div class="tpx-loading" aria-busy="true">
                    <span class="tpx-spinner" aria-hidden="true"></span>
                    { format!("Loading job {}…", props.job_id) }
                </div>
            },
            "loading",
        ),
        FetchState::Loaded(job) => {
            let model = card_model(job, &browser_clock(), *queued_since.borrow());
            (
                html! { <JobView model={Rc::new(model)} details_open={props.details_open} /> },
                job.status.slug(),
            )
        }
        FetchState::Failed(error) => (
            html! { <ErrorView error={error.clone()} job_id={props.job_id} on_retry={retry} /> },
            "error",
        ),
    };
    html! {
        <article class={classes!("tpx-card", props.theme.class())} data-job-id={props.job_id.to_string()} data-state={status}>
            { body }
        </article>
    }
}

fn note_queue_time(queued_since: &Rc<RefCell<Option<i64>>>, job: &Job) {
    let mut since = queued_since.borrow_mut();
    *since = match (job.status, *since) {
        (JobStatus::InQueue, Some(since)) => Some(since),
        (JobStatus::InQueue, None) => Some(js_sys::Date::now() as i64),
        _ => None,
    };
}
