// <tensorpix-job-card>: appended to the wasm-bindgen module by `cargo xtask bundle`, so one
// <script type="module"> is all a page needs. The class only forwards lifecycle callbacks to Rust.
// A page may load the script twice (two URLs, two bundles): the first definition wins, and a later
// copy neither defines the element again nor loads its wasm; its `ready` is the first one's.
const tensorpixDefined = customElements.get("tensorpix-job-card");
const tensorpixReady = (tensorpixDefined && tensorpixDefined.ready) || __wbg_init();
class TensorpixJobCardElement extends HTMLElement {
  static ready = tensorpixReady;
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
if (!tensorpixDefined) customElements.define("tensorpix-job-card", TensorpixJobCardElement);
export { tensorpixReady as ready };
