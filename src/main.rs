//! The release bundle's entry point. Everything starts from the `<tensorpix-job-card>` element,
//! which `element.js` defines once the module is loaded; `main` itself has nothing to do.

// Link the library, whose `#[wasm_bindgen]` exports the element calls.
use tensorpix_job_card as _;

fn main() {}
