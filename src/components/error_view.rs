//! What the card shows when it has no job to show: the error, in words, and a retry button.

use yew::prelude::*;

use crate::api::FetchError;
use crate::i18n::Language;
use crate::options::Theme;

/// The error in words, with a retry button. A plain function, not a component: the card renders
/// it from the snapshot it already holds, so no props need cloning and comparing.
pub fn error_view(
    error: &FetchError,
    job_id: i64,
    retry_in: Option<u64>,
    on_retry: &Callback<()>,
    language: Language,
) -> Html {
    let texts = language.texts();
    let on_click = on_retry.reform(|_: MouseEvent| ());
    html! {
        <div class="tpx-error" part="error" role="alert" data-error={error.kind()}>
            <span class="tpx-error-icon" aria-hidden="true">{ "!" }</span>
            <div class="tpx-error-body">
                <p class="tpx-error-title">{ error.title(job_id, texts) }</p>
                <p class="tpx-error-text">{ error.explanation(texts) }</p>
                if let Some(seconds) = retry_in {
                    <p class="tpx-muted tpx-retry-in">{ (texts.trying_again_in)(seconds) }</p>
                }
                <button type="button" class="tpx-button tpx-retry" part="retry" onclick={on_click}>{ texts.try_again }</button>
            </div>
        </div>
    }
}

/// A card that cannot fetch anything because it was set up wrongly (a job id that is no number).
/// Only the element shows it, inside a shadow root that has the styles already.
pub fn config_error_card(message: &AttrValue, theme: Theme, language: Language) -> Html {
    html! {
        <article class="tpx-card" data-theme={theme.slug()} part="card" data-state="error">
            <div class="tpx-error" part="error" role="alert" data-error="invalid-config">
                <span class="tpx-error-icon" aria-hidden="true">{ "!" }</span>
                <div class="tpx-error-body">
                    <p class="tpx-error-title">{ language.texts().not_set_up }</p>
                    <p class="tpx-error-text">{ message }</p>
                </div>
            </div>
        </article>
    }
}
