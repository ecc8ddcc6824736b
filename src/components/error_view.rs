//! What the card shows when it has no job to show: the error, in words, and a retry button.

use yew::prelude::*;

use crate::api::FetchError;
use crate::hooks::use_document_styles;
use crate::i18n::Language;
use crate::options::Theme;

#[derive(Properties, Clone, PartialEq)]
pub struct ErrorViewProps {
    pub error: FetchError,
    pub job_id: i64,
    /// Seconds until the card tries again by itself, if it will.
    #[prop_or_default]
    pub retry_in: Option<u64>,
    pub on_retry: Callback<()>,
    pub language: Language,
}

#[component]
pub fn ErrorView(props: &ErrorViewProps) -> Html {
    let error = &props.error;
    let texts = props.language.texts();
    let on_click = props.on_retry.reform(|_: MouseEvent| ());
    html! {
        <div class="tpx-error" part="error" role="alert" data-error={error.kind()}>
            <span class="tpx-error-icon" aria-hidden="true">{ "!" }</span>
            <div class="tpx-error-body">
                <p class="tpx-error-title">{ error.title(props.job_id, texts) }</p>
                <p class="tpx-error-text">{ error.explanation(texts) }</p>
                if let Some(seconds) = props.retry_in {
                    <p class="tpx-muted tpx-retry-in">{ (texts.trying_again_in)(seconds) }</p>
                }
                <button type="button" class="tpx-button tpx-retry" part="retry" onclick={on_click}>{ texts.try_again }</button>
            </div>
        </div>
    }
}

#[derive(Properties, Clone, PartialEq)]
pub struct ConfigErrorProps {
    /// What is wrong with how the card was set up, in words.
    pub message: AttrValue,
    #[prop_or_default]
    pub theme: Theme,
    #[prop_or(true)]
    pub document_styles: bool,
    #[prop_or_default]
    pub language: Language,
}

/// A card that cannot fetch anything because it was set up wrongly (a job id that is no number).
#[component]
pub fn ConfigErrorCard(props: &ConfigErrorProps) -> Html {
    use_document_styles(props.document_styles);
    html! {
        <article class={props.theme.card_class()} part="card" data-state="error">
            <div class="tpx-error" part="error" role="alert" data-error="invalid-config">
                <span class="tpx-error-icon" aria-hidden="true">{ "!" }</span>
                <div class="tpx-error-body">
                    <p class="tpx-error-title">{ props.language.texts().not_set_up }</p>
                    <p class="tpx-error-text">{ &props.message }</p>
                </div>
            </div>
        </article>
    }
}
