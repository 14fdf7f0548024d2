#!/usr/bin/python3
"""The page alone: ui/index.html (or another page) in a bare WebKitGTK view, no Tauri, no Rust.

For quick experiments on the page's own start (a CSS or JS change is measured in seconds,
no release build): loads the page from disk N times, each in a fresh process and web
process, and prints medians of what the page reached, in ms after navigation start:
- `html`: the HTML parsed (domInteractive); `dom`: DOMContentLoaded;
- `paint`: first contentful paint;
- `ready`, `script`: the app's own marks (app.js), when the page sends them;
- `web PSS`: the web process's PSS (MiB) 3 s after load.

Rust is stood in for by a document-start script, as Tauri injects its own: it answers the
app's first calls (no saved connections, English) and turns the marks on, and marks the
platform as boot.rs does. With `--connections N` the list answers N made-up saved connections
in the window's shape (models.rs `ConnectionView`), so the first screen is the saved list: how
its drawing grows with N is measured here in seconds (the figure of record is
`scripts/bench.sh saved`). Under Xvfb from scripts/bench-page.sh; needs python3-gi and
gir1.2-webkit2-4.1 (scripts/setup.sh --bench installs them).

    bench/page.py [--runs N] [--jit] [--connections N] [--shot FILE.png] [PAGE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STAND_IN = """
function madeUp(n) {
  const now = Date.now(), day = 86400000, out = [];
  const kinds = ["access-token-valid", "active", "reauthorize-before", "expired", "needs-reauthorization", "handed-over"];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % 20 < kinds.length ? i % 20 : 0];
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    out.push({
      id, name: `Kund ${String(i + 1).padStart(4, "0")} AB`, companyName: `Bolaget ${i + 1} AB`,
      organizationNumber: "556677-8899", tenantId: String(1000000 + i), accountType: i % 7 ? "user" : "service",
      clientId: "client-1", redirectUri: "http://localhost:9876/callback", scopes: ["companyinformation", "invoice"],
      issuedAtMs: now - 3 * day, accessExpiresAtMs: now + 3600000, refreshExpiresAtMs: now + 28 * day,
      secretsSaved: true, hasSecret: true, hasRefreshToken: true, unsavedKeys: false,
      ownership: kind === "handed-over" ? "handed_over" : "kept_here", handedOverAtMs: null,
      status: { kind, text: { en: "Active", sv: "Aktiv" }, atMs: now + 28 * day, minutes: 60 },
    });
  }
  return out;
}
document.documentElement && (document.documentElement.dataset.platform = "linux");
window.__FA_MARKS__ = true;
window.__marks = {};
window.__TAURI__ = {
  core: { invoke: (cmd, args) => {
    if (cmd === "mark") { window.__marks[args.name] = args.atMs - performance.timeOrigin; return Promise.resolve(null); }
    if (cmd === "list_connections") return new Promise((r) => setTimeout(() => r({ connections: madeUp(__COUNT__), problem: null, path: "/tmp/connections.json" }), 3));
    if (cmd === "scope_catalogue") return Promise.resolve([]);
    if (cmd === "app_info") return Promise.resolve({ version: "0.0.0", language: "en" });
    return new Promise((r) => setTimeout(() => r(null), 3));
  } },
  event: { listen: () => Promise.resolve(() => {}) },
};
"""

PROBE = """JSON.stringify((() => {
  const t = performance.timing;
  const paint = performance.getEntriesByType("paint").find((p) => p.name === "first-contentful-paint");
  return { html: t.domInteractive - t.navigationStart, dom: t.domContentLoadedEventStart - t.navigationStart,
           paint: paint ? paint.startTime : null, marks: window.__marks || {},
           rows: document.querySelectorAll("#connections > li").length };
})())"""


def one_load(url, count, shot=None):
    """Runs in a child process: one window, one load, one JSON line on stdout."""
    import gi

    gi.require_version("Gtk", "3.0")
    gi.require_version("WebKit2", "4.1")
    from gi.repository import GLib, Gtk, WebKit2

    win = Gtk.Window()
    win.set_default_size(960, 720)
    content = WebKit2.UserContentManager()
    content.add_script(
        WebKit2.UserScript(
            STAND_IN.replace("__COUNT__", str(count)),
            WebKit2.UserContentInjectedFrames.TOP_FRAME,
            WebKit2.UserScriptInjectionTime.START,
            None,
            None,
        )
    )
    view = WebKit2.WebView(web_context=WebKit2.WebContext.new_ephemeral(), user_content_manager=content)
    settings = view.get_settings()
    settings.set_allow_file_access_from_file_urls(True)
    win.add(view)
    win.show_all()

    def web_pss():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{pid}/comm") as f:
                    name = f.read().strip()
                if ppid != os.getpid() or not name.startswith("WebKitWebProc"):
                    continue
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            return int(line.split()[1]) / 1024.0
            except OSError:
                pass
        return None

    def probe():
        def done(v, res):
            out = json.loads(v.evaluate_javascript_finish(res).to_string())
            out["pss"] = web_pss()
            print(json.dumps(out), flush=True)
            Gtk.main_quit()

        def evaluate(*_):
            view.evaluate_javascript(PROBE, -1, None, None, None, done)

        if shot:  # the whole screen: the window is alone on Xvfb (ImageMagick's `import`)
            subprocess.run(["import", "-window", "root", shot], check=False)
        evaluate()
        return False

    def loaded(_view, event):
        if event == WebKit2.LoadEvent.FINISHED:
            GLib.timeout_add(3000, probe)

    view.connect("load-changed", loaded)
    view.load_uri(url)
    Gtk.main()


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--one":
        one_load(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page", nargs="?", default=os.path.join(ROOT, "ui/index.html"))
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--jit", action="store_true", help="let JavaScriptCore compile (the app turns it off)")
    ap.add_argument("--shot", help="also save a PNG of the window after the first load")
    ap.add_argument("--connections", type=int, default=0, help="saved connections the list answers (default 0)")
    a = ap.parse_args()
    url = "file://" + os.path.abspath(a.page)
    env = dict(os.environ, WEBKIT_DISABLE_DMABUF_RENDERER="1")
    if not a.jit:
        env["JSC_useJIT"] = "false"
    runs = []
    for i in range(a.runs):
        shot = [os.path.abspath(a.shot)] if a.shot and i == 0 else []
        out = subprocess.run(
            [sys.executable, __file__, "--one", url, str(a.connections), *shot], env=env, capture_output=True, text=True, timeout=60
        ).stdout
        line = next((l for l in out.splitlines() if l.startswith("{")), None)
        if line:
            runs.append(json.loads(line))
        time.sleep(0.2)
    if not runs:
        sys.exit("page: no load finished (is there a display, and python3-gi with WebKit2 4.1?)")

    def med(values):
        values = [v for v in values if v is not None]
        return f"{statistics.median(values):.0f}" if values else "-"

    cols = {
        "html": med(r["html"] for r in runs),
        "dom": med(r["dom"] for r in runs),
        "script": med(r["marks"].get("script") for r in runs),
        "ready": med(r["marks"].get("ready") for r in runs),
        "paint": med(r["paint"] for r in runs),
    }
    pss = [r["pss"] for r in runs if r["pss"] is not None]
    # Every saved connection has its row by the probe, 3 s after load (a long list draws the
    # rest of its rows in batches after the first paint).
    saved = f", {a.connections} saved connections ({min(r.get('rows', 0) for r in runs)} rows drawn)" if a.connections else ""
    print(f"{os.path.relpath(a.page)}: medians of {len(runs)} loads{saved}, ms after navigation start")
    print("  " + "  ".join(f"{k} {v}" for k, v in cols.items()) + (f"  web PSS {statistics.median(pss):.1f} MiB" if pss else ""))


if __name__ == "__main__":
    main()
