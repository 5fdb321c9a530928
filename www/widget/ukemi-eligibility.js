// <ukemi-eligibility companion="127.0.0.1:47615" lang="ja" modes="card insurance">
// One script for vendors: defines the custom element, loads the WebAssembly next to this
// file, and mounts the check in an open shadow root. Results arrive as DOM events:
//   el.addEventListener('ukemi-result', e => e.detail)   // the eligibility result (JSON)
//   el.addEventListener('ukemi-error',  e => e.detail)   // {code, message, message_en, detail}
// See docs/embedding.md.
const base = new URL('.', import.meta.url);
let ready = null;
function load() {
  if (!ready) {
    ready = import(new URL('ukemi_widget.js', base).href).then(async (m) => {
      await m.default({ module_or_path: new URL('ukemi_widget_bg.wasm', base) });
      return m;
    });
  }
  return ready;
}

class UkemiEligibility extends HTMLElement {
  async connectedCallback() {
    if (this._mounted) return;
    this._mounted = true;
    const root = this.shadowRoot || this.attachShadow({ mode: 'open' });
    // A linked stylesheet, not an inline <style>: the host page's CSP may refuse inline styles.
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('ukemi-widget.css', base).href;
    root.appendChild(css);
    const container = document.createElement('div');
    root.appendChild(container);
    const m = await load();
    m.mount_widget(
      this, root, container,
      this.getAttribute('companion') || '',
      this.getAttribute('lang') || 'ja',
      this.getAttribute('modes') || '',
    );
  }
}

if (!customElements.get('ukemi-eligibility')) {
  customElements.define('ukemi-eligibility', UkemiEligibility);
}
