// The baseline's one call: `ready` with the time of DOMContentLoaded (Unix ms).
document.addEventListener("DOMContentLoaded", () => {
  window.__TAURI__.core.invoke("ready", { atMs: Date.now() });
});
