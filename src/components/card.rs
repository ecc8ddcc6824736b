//! `JobCard`: subscribes to the job's shared feed and shows what it knows, ticking every second
//! while the job is live; `CardView` lays a feed snapshot out and can be driven directly.

use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::error_view::error_view;
use super::job_view::job_view;
use crate::api::{ApiConfig, DEFAULT_API_BASE};
use crate::card_model::{Clock, announcement, card_model};
use crate::feed::{FeedKey, Snapshot};
use crate::format::seconds_until;
use crate::hooks::{use_document_styles, use_job_feed, use_tick};
use crate::intl::CardLocale;
use crate::options::Theme;
use crate::poll::PollSettings;

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
    /// A job token from the site's backend, for a proxy that requires one (`Authorization:
    /// Bearer`). A new token applies at once: the card asks again with it.
    #[prop_or_default]
    pub token: Option<AttrValue>,
    /// How often to poll while the job is live (at least one second).
    #[prop_or_default]
    pub poll: PollSettings,
    /// How long to wait for an answer before saying so, in milliseconds.
    #[prop_or(20_000)]
    pub timeout_ms: u32,
    #[prop_or_default]
    pub theme: Theme,
    /// Start with the details (input, output, models, settings) expanded.
    #[prop_or_default]
    pub details_open: bool,
    /// Called with every new snapshot of the job's feed: each update, error and status change.
    #[prop_or_default]
    pub on_snapshot: Callback<Rc<Snapshot>>,
    /// Add the card's stylesheet to the document. Off inside a shadow root, which has its own.
    #[prop_or(true)]
    pub document_styles: bool,
    /// A BCP 47 language tag for texts, numbers and dates; else the page's `lang`, else the browser's.
    #[prop_or_default]
    pub locale: Option<AttrValue>,
}

/// The browser's clock, for the card model.
fn browser_clock() -> Clock {
    Clock {
        now_millis: js_sys::Date::now() as i64,
    }
}

/// Shows one TensorPix job, live: the Yew component behind `<tensorpix-job-card>`, for Rust apps.
///
/// Cards showing the same job from the same API share one poll loop; the card's styles are added
/// to the document once (set `document_styles={false}` inside a shadow root that has its own).
///
/// The crate's documentation shows it in an app; a whole one is in `examples/yew_app.rs`.
#[component]
pub fn JobCard(props: &JobCardProps) -> Html {
    let key = FeedKey {
        config: ApiConfig {
            base: props.api_base.to_string(),
            key: props.api_key.as_ref().map(|key| key.to_string()),
            token: props.token.as_ref().map(|token| token.to_string()),
        },
        job_id: props.job_id,
    };
    let timeout = Duration::from_millis(u64::from(props.timeout_ms));
    let feed = use_job_feed(key, props.poll, timeout, props.on_snapshot.clone());
    let snapshot = feed.snapshot;
    // Something on the card counts while the job is live or a retry is due.
    use_tick(snapshot.job.as_ref().is_some_and(|job| !job.status.is_terminal()) || snapshot.retry_at.is_some());
    let locale = use_memo(props.locale.clone(), |locale| CardLocale::resolve(locale.as_deref()));
    use_document_styles(props.document_styles);
    // Laid out here rather than by a `CardView` child: the child would re-render on every render
    // of this one anyway (the retry callback is new each time), so it would only add code.
    card_view(&CardViewProps {
        snapshot,
        job_id: props.job_id,
        theme: props.theme,
        details_open: props.details_open,
        on_retry: feed.restart,
        document_styles: props.document_styles,
        locale: (*locale).clone(),
    })
}

/// The inputs of [`CardView`].
#[derive(Properties, Clone)]
pub struct CardViewProps {
    pub snapshot: Rc<Snapshot>,
    pub job_id: i64,
    #[prop_or_default]
    pub theme: Theme,
    #[prop_or_default]
    pub details_open: bool,
    #[prop_or_default]
    pub on_retry: Callback<()>,
    #[prop_or(true)]
    pub document_styles: bool,
    #[prop_or_default]
    pub locale: CardLocale,
}

/// Snapshots compare by identity: every poll makes a new one (its `updated_at` differs), so a deep
/// comparison would cost code and time and never find two equal.
impl PartialEq for CardViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.snapshot, &other.snapshot)
            && self.job_id == other.job_id
            && self.theme == other.theme
            && self.details_open == other.details_open
            && self.on_retry == other.on_retry
            && self.document_styles == other.document_styles
            && self.locale == other.locale
    }
}

/// Lays out one snapshot, as [`JobCard`] does, for tests that drive a card directly.
#[component]
pub fn CardView(props: &CardViewProps) -> Html {
    use_document_styles(props.document_styles);
    card_view(props)
}

/// Lays out one snapshot: loading, the job (with a quiet note when a refresh failed), or the error.
fn card_view(props: &CardViewProps) -> Html {
    let snapshot = &*props.snapshot;
    let clock = browser_clock();
    let locale = props.locale.locale();
    let (language, texts) = (props.locale.language, locale.texts);
    let retry_in = snapshot.retry_at.map(|at| seconds_until(at, clock.now_millis));
    let announcement = snapshot
        .job
        .as_deref()
        .map(|job| announcement(job, texts))
        .unwrap_or_default();
    let (body, state) = match (&snapshot.job, &snapshot.error) {
        (None, None) => (
            html! {
                <div class="tpx-loading" aria-busy="true">
                    <span class="tpx-spinner" aria-hidden="true"></span>
                    { (texts.loading)(props.job_id) }
                </div>
            },
            "loading",
        ),
        (Some(job), error) => {
            let model = card_model(job, &clock, &snapshot.tracking(clock.now_millis), &locale);
            let notice = error.as_ref().map(|error| {
                let title = error.title(props.job_id, texts);
                let mut text = match retry_in {
                    Some(seconds) => (texts.could_not_refresh)(&title, seconds),
                    None => (texts.updates_stopped)(&title),
                };
                if let Some(updated) = snapshot.updated_at {
                    text = format!("{text} {}", (texts.last_updated)(&locale.numbers.time_of_day(updated)));
                }
                html! {
                    <div class="tpx-stale" part="error" data-error={error.kind()}>
                        <p>{ text }</p>
                        if snapshot.needs_retry {
                            <button type="button" class="tpx-button tpx-retry" part="retry" onclick={props.on_retry.reform(|_| ())}>
                                { texts.try_again }
                            </button>
                        }
                    </div>
                }
            });
            (
                html! { <>{ job_view(&model, props.details_open, language) }{ for notice }</> },
                job.status.slug(),
            )
        }
        (None, Some(error)) => (
            error_view(error, props.job_id, retry_in, &props.on_retry, language),
            "error",
        ),
    };
    html! {
        <article class="tpx-card" data-theme={props.theme.slug()} part="card" data-job-id={props.job_id.to_string()} data-state={state}>
            // One stable live region: it speaks when its text changes, which is only at milestones.
            <div class="tpx-visually-hidden" role="status" aria-live="polite">{ announcement }</div>
            { body }
        </article>
    }
}
