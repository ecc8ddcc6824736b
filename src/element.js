
// <tensorpix-job-card>: appended to the wasm-bindgen module by `cargo xtask bundle`, so one
// <script type="module"> is all a page needs. The class only forwards lifecycle callbacks to Rust.
const tensorpixReady = __wbg_init();
class TensorpixJobCardElement extends HTMLElement {
  static get observedAttributes() {
    return ["job-id", "api-base", "api-key", "token", "poll-interval", "locale", "theme"];
  }
  connectedCallback() {
    tensorpixReady.then(() => this.isConnected && tensorpix_element_connected(this));
  }
  disconnectedCallback() {
    tensorpixReady.then(() => this.isConnected || tensorpix_element_disconnected(this));
  }
  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue !== newValue) tensorpixReady.then(() => this.isConnected && tensorpix_element_changed(this));
  }
}
if (!customElements.get("tensorpix-job-card")) customElements.define("tensorpix-job-card", TensorpixJobCardElement);
export { tensorpixReady as ready };
