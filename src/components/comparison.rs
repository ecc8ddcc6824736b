//! A before/after wipe: the two clips play in sync, and a slider (mouse, touch or arrow keys)
//! moves the line between them.

use web_sys::HtmlVideoElement;
use yew::prelude::*;

use crate::card_model::Comparison;
use crate::i18n::Language;

#[derive(Properties, Clone, PartialEq)]
pub struct ComparisonViewProps {
    pub clips: Comparison,
    pub language: Language,
}

/// How far apart the clips may drift before the "before" clip is pulled back to the "after" one.
const MAX_DRIFT_SECONDS: f64 = 0.15;

#[component]
pub fn ComparisonView(props: &ComparisonViewProps) -> Html {
    let texts = props.language.texts();
    // Cells and a re-render rather than `use_state` (as in `use_job_feed`): without any
    // `use_state`, Yew's reducer code stays out of the bundle.
    let position = use_mut_ref(|| 50_u8);
    let update = use_force_update();
    // The clips' and the stage's refs, made once; `use_node_ref` is built on `use_state`.
    let [before, after, stage] = use_mut_ref(<[NodeRef; 3]>::default).borrow().clone();
    let split = *position.borrow();
    let on_input = Callback::from(move |event: InputEvent| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        *position.borrow_mut() = input.value().parse::<u8>().map_or(50, |value| value.min(100));
        update.force_update();
    });
    // The "after" clip leads; the "before" clip follows its time, play and pause.
    let follow = {
        let (before, after) = (before.clone(), after.clone());
        Callback::from(move |_: Event| {
            let (Some(before), Some(after)) = (before.cast::<HtmlVideoElement>(), after.cast::<HtmlVideoElement>())
            else {
                return;
            };
            if (before.current_time() - after.current_time()).abs() > MAX_DRIFT_SECONDS {
                before.set_current_time(after.current_time());
            }
            if after.paused() && !before.paused() {
                let _ = before.pause();
            } else if !after.paused()
                && before.paused()
                && let Ok(playing) = before.play()
            {
                // A browser may refuse to play (an autoplay policy); awaiting the promise handles
                // its rejection, which would otherwise reach the page as an unhandled one.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(playing).await;
                });
            }
        })
    };
    // The split goes to the CSS as `--_split` on the stage, through the CSSOM: a `style` attribute
    // is inline style, which a strict CSP (no `'unsafe-inline'`) blocks. Effects run before the
    // browser paints, so the first frame is already split.
    {
        let stage = stage.clone();
        use_effect_with(split, move |position| {
            if let Some(stage) = stage.cast::<web_sys::HtmlElement>() {
                crate::styles::set_property(&stage, "--_split", &format!("{position}%"));
            }
        });
    }
    // `~muted`: the property. The attribute only sets the default, which an element created by
    // script has already read, and a clip with sound may not start without a click.
    html! {
        <figure class="tpx-comparison" part="comparison">
            <div ref={stage} class="tpx-comparison-stage">
                <video ref={before} class="tpx-comparison-before" src={props.clips.before.clone()}
                    ~muted=true autoplay=true loop=true playsinline=true preload="auto" aria-hidden="true" />
                <video ref={after} class="tpx-comparison-after" src={props.clips.after.clone()}
                    ~muted=true autoplay=true loop=true playsinline=true preload="auto" aria-hidden="true"
                    ontimeupdate={follow.clone()} onplay={follow.clone()} onpause={follow} />
                <span class="tpx-comparison-line" aria-hidden="true"></span>
                <span class="tpx-comparison-tag tpx-comparison-tag-before" aria-hidden="true">{ texts.before }</span>
                <span class="tpx-comparison-tag tpx-comparison-tag-after" aria-hidden="true">{ texts.after }</span>
                <input class="tpx-comparison-slider" type="range" min="0" max="100" step="1"
                    value={split.to_string()} oninput={on_input}
                    aria-label={texts.comparison_label}
                    aria-valuetext={(texts.comparison_value)(split)} />
            </div>
            <figcaption class="tpx-muted">{ texts.comparison_hint }</figcaption>
        </figure>
    }
}
