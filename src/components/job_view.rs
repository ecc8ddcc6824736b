//! Lays out a `CardModel`: header, the current phase, the result, and collapsible details.

use yew::prelude::*;

use super::comparison::ComparisonView;
use crate::card_model::{CardModel, Media, ModelLine, Output, Phase, Row};
use crate::i18n::{Language, Texts};

/// A plain function, not a component: Yew's diff of what it returns leaves unchanged nodes alone,
/// so a memo comparing the whole model first would only cost code.
pub fn job_view(model: &CardModel, details_open: bool, language: Language) -> Html {
    let texts = language.texts();
    let header_thumbnail = model
        .output
        .as_ref()
        .and_then(|output| output.media.thumbnail.clone())
        .filter(|_| model.output.as_ref().is_some_and(|output| output.deleted.is_none()))
        .or_else(|| model.input.thumbnail.clone());
    html! {
        <>
            <header class="tpx-header">
                <div class="tpx-thumbnail" part="thumbnail">
                    if let Some(src) = header_thumbnail {
                        <img src={src} alt="" loading="lazy" />
                    }
                </div>
                <div class="tpx-heading">
                    <h2 class="tpx-name" title={model.title.clone()} dir="auto">{ &model.title }</h2>
                    <p class="tpx-meta">
                        <span class="tpx-job-id">{ (texts.job_number)(model.job_id) }</span>
                        { for model.flags.iter().map(|flag| html! { <span class="tpx-flag">{ *flag }</span> }) }
                    </p>
                    <span class="tpx-status" data-status={model.status.slug()} part="status">
                        <span class="tpx-status-icon" aria-hidden="true">{ status_icon(&model.phase) }</span>
                        <span class="tpx-status-label">{ &model.status_label }</span>
                    </span>
                </div>
            </header>
            { phase_view(&model.phase, texts) }
            if let Some(output) = &model.output {
                { output_actions(output, language) }
            }
            if let Some(description) = &model.description {
                <p class="tpx-description" dir="auto">{ description }</p>
            }
            if !model.facts.is_empty() {
                <dl class="tpx-facts">{ rows(&model.facts) }</dl>
            }
            <details class="tpx-details" open={details_open}>
                <summary>{ texts.details }</summary>
                <section class="tpx-section tpx-input" part="input">
                    { media_section(texts.input_video, &model.input, texts) }
                </section>
                if let Some(output) = &model.output {
                    <section class="tpx-section tpx-output" part="output">
                        { media_section(texts.enhanced_video, &output.media, texts) }
                    </section>
                }
                if !model.models.is_empty() {
                    <section class="tpx-section tpx-models" part="models">
                        <h3>{ texts.ai_models }</h3>
                        <ul>{ for model.models.iter().map(model_item) }</ul>
                    </section>
                }
                <section class="tpx-section tpx-settings">
                    <h3>{ texts.settings }</h3>
                    if !model.settings.is_empty() {
                        <dl class="tpx-rows">{ rows(&model.settings) }</dl>
                    }
                </section>
            </details>
        </>
    }
}

/// The bar's value in tenths of a percent, as an integer: smooth enough for any bar width, and
/// printing an integer keeps float formatting out of the bundle.
fn permille(percent: f64) -> String {
    ((percent * 10.0).round() as u32).to_string()
}

fn status_icon(phase: &Phase) -> &'static str {
    match phase {
        Phase::Queued { .. } => "◷",
        Phase::Processing { .. } => "▶",
        Phase::Finished { .. } => "✓",
        Phase::Failed { .. } => "✕",
        Phase::Canceled { .. } => "■",
        Phase::Unknown { .. } => "?",
    }
}

/// Processing shows a bar and times; every other phase is a sentence and, sometimes, a quieter
/// line under it.
fn phase_view(phase: &Phase, texts: &Texts) -> Html {
    // The phase is a data attribute, not a class: a computed `class` brings in Yew's class sets.
    let (name, sentence, detail) = match phase {
        Phase::Processing {
            percent,
            percent_text,
            eta,
            elapsed,
        } => {
            return html! {
                <div class="tpx-phase" data-phase="processing">
                    <div class="tpx-progress-row">
                        // Screen readers read the value as a percentage and the ETA beside it as
                        // text; no aria-valuetext or fallback text, so a poll changes three nodes.
                        <progress class="tpx-progress" part="progress" max="1000" value={permille(*percent)}
                            aria-label={texts.progress_name} />
                        <span class="tpx-percent">{ percent_text }</span>
                    </div>
                    <p class="tpx-muted tpx-timing">
                        if let Some(eta) = eta {
                            <span class="tpx-eta" part="eta">{ eta }</span>
                        }
                        if let Some(elapsed) = elapsed {
                            <span class="tpx-elapsed">{ (texts.running_for)(elapsed) }</span>
                        }
                    </p>
                </div>
            };
        }
        Phase::Queued { waiting } => (
            "queued",
            texts.waiting_for_gpu.to_owned(),
            waiting.as_deref().map(texts.waiting_for),
        ),
        Phase::Finished { took } => (
            "finished",
            took.as_deref()
                .map_or_else(|| texts.enhancement_finished.to_owned(), texts.enhanced_in),
            None,
        ),
        Phase::Failed { at } => (
            "failed",
            texts.could_not_finish.to_owned(),
            at.as_deref().map(texts.failed_on),
        ),
        Phase::Canceled { at } => (
            "canceled",
            texts.canceled_before_finish.to_owned(),
            at.as_deref().map(texts.canceled_on),
        ),
        Phase::Unknown { code } => ("unknown", (texts.unknown_code)(*code), None),
    };
    html! {
        <div class="tpx-phase" data-phase={name}>
            <p>{ sentence }</p>
            if let Some(detail) = detail {
                <p class="tpx-muted">{ detail }</p>
            }
        </div>
    }
}

fn output_actions(output: &Output, language: Language) -> Html {
    html! {
        <div class="tpx-result">
            if let Some(clips) = &output.comparison {
                <ComparisonView clips={clips.clone()} {language} />
            }
            if let Some(deleted) = &output.deleted {
                <p class="tpx-deleted">{ deleted }</p>
            }
            if let Some(download) = &output.download {
                <a class="tpx-button tpx-download" part="download" href={download.url.clone()} download={download.file_name.clone()}
                    rel="noopener noreferrer" target="_blank">
                    { language.texts().download }
                    if let Some(size) = &download.size {
                        <span class="tpx-download-size">{ format!("({size})") }</span>
                    }
                </a>
            }
        </div>
    }
}

/// A video's details, inside the `<section>` its caller names (literal classes, as above).
fn media_section(title: &'static str, media: &Media, texts: &Texts) -> Html {
    html! {
        <>
            <h3>{ title }</h3>
            <div class="tpx-media">
                if let Some(src) = &media.thumbnail {
                    <img class="tpx-media-thumbnail" src={src.clone()} alt={(texts.thumbnail_of)(title)} loading="lazy" />
                }
                if !media.rows.is_empty() {
                    <dl class="tpx-rows">{ rows(&media.rows) }</dl>
                }
            </div>
        </>
    }
}

/// Labelled values, for a `<dl>`.
fn rows(rows: &[Row]) -> Html {
    rows.iter()
        .map(|row| {
            html! {
                <div class="tpx-row">
                    <dt>{ row.label }</dt>
                    <dd>{ &row.value }</dd>
                </div>
            }
        })
        .collect()
}

fn model_item(model: &ModelLine) -> Html {
    html! {
        <li>
            <span class="tpx-model-name" dir="auto">{ &model.name }</span>
            <span class="tpx-muted">{ format!(" · {}", model.task) }</span>
            if let Some(detail) = &model.detail {
                <span class="tpx-muted">{ format!(" · {detail}") }</span>
            }
        </li>
    }
}
