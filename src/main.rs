//! The demo page's entry point: mounts a card into every element that asks for one.

fn main() {
    #[cfg(target_arch = "wasm32")]
    tensorpix_job_card::mount::mount_all();
}
