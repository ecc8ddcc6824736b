// <tensorpix-job-card>: appended to the wasm-bindgen module by `cargo xtask bundle`, so one
// <script type="module"> is all a page needs. The class only forwards lifecycle callbacks to Rust.
// A page may load the script twice (two URLs, two bundles): the first definition wins, and a later
// copy neither defines the element again nor loads its wasm; its `ready` is the first one's.
// The attribute lists are filled in by the bundle step from `src/contract.rs`.
const tensorpixInputs = TENSORPIX_INPUT_ATTRIBUTES;
const tensorpixStates = TENSORPIX_STATE_ATTRIBUTES;
const tensorpixDefined = customElements.get("tensorpix-job-card");
const tensorpixReady = (tensorpixDefined && tensorpixDefined.ready) || __wbg_init().then(() => {});
const tensorpixProperty = (name) => name.replace(/-(.)/g, (_, letter) => letter.toUpperCase());
class TensorpixJobCardElement extends HTMLElement {
  static ready = tensorpixReady;
  static get observedAttributes() {
    return tensorpixInputs;
  }
  connectedCallback() {
    // A property set before the element was defined is an own field that hides the accessor.
    for (const name of tensorpixInputs) {
      const property = tensorpixProperty(name);
      if (Object.hasOwn(this, property)) {
        const value = this[property];
        delete this[property];
        this[property] = value;
      }
    }
    tensorpixReady.then(() => this.isConnected && tensorpix_element_connected(this));
  }
  disconnectedCallback() {
    tensorpixReady.then(() => this.isConnected || tensorpix_element_disconnected(this));
  }
  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue !== newValue) tensorpixReady.then(() => this.isConnected && tensorpix_element_changed(this));
  }
}
// Each attribute is also a property: `jobId` for `job-id`; the card's state ones are read-only.
for (const name of [...tensorpixInputs, ...tensorpixStates]) {
  Object.defineProperty(TensorpixJobCardElement.prototype, tensorpixProperty(name), {
    get() {
      return this.getAttribute(name);
    },
    set: tensorpixInputs.includes(name)
      ? function (value) {
          if (value == null) this.removeAttribute(name);
          else this.setAttribute(name, value);
        }
      : undefined,
    configurable: true,
  });
}
if (!tensorpixDefined) customElements.define("tensorpix-job-card", TensorpixJobCardElement);
export { tensorpixReady as ready };
