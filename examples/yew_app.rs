//! The card inside a Rust/Yew app, as a component instead of a custom element.
//!
//! Build it with `cargo build --example yew_app --target wasm32-unknown-unknown` (or serve it with
//! Trunk). The card polls through the proxy at `/tensorpix`, so no API key is in the page.

#[cfg(target_arch = "wasm32")]
mod app {
    use std::rc::Rc;
    use std::time::Duration;

    use tensorpix_job_card::{JobCard, PollSettings, Snapshot, Theme};
    use yew::prelude::*;

    #[component]
    pub fn App() -> Html {
        let status = use_state(|| "loading".to_owned());
        // Every feed snapshot reaches the app too: react to status changes, errors, the finish.
        let on_snapshot = {
            let status = status.clone();
            Callback::from(move |snapshot: Rc<Snapshot>| {
                let now = snapshot.job.as_ref().map_or("loading", |job| job.status.slug());
                status.set(now.to_owned());
            })
        };
        html! {
            <main>
                <h1>{ format!("Your video: {}", *status) }</h1>
                <JobCard
                    job_id={102}
                    api_base="/tensorpix"
                    poll={PollSettings::new(Duration::from_secs(3), Duration::from_secs(15))}
                    theme={Theme::Auto}
                    {on_snapshot}
                />
            </main>
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
