#!/usr/bin/env python3
"""Speed and size of Fortnox Activator against a bare Tauri 2 window (bench/baseline).

Run through `scripts/bench.sh`, which builds both with the same release profile first. Needs a
display (bench.sh uses xvfb-run when there is none); standard library only.

Figures, each app and baseline side by side with their ratio:
- launch -> ready: from just before exec to the `ready <unix ms>` line the window prints under
  FORTNOX_ACTIVATOR_READY=1 (app: step 1 can take typing; baseline: DOMContentLoaded);
  median and spread (min-max) of --runs launches, app and baseline alternating, after one
  unmeasured warm-up launch of each;
- PSS of the process tree (the app and its WebKit processes, /proc/<pid>/smaps_rollup) 3 s
  after ready;
- stripped binary sizes;
- callback -> result through the real window against the Fortnox stand-in, driven over
  WebDriver (tauri-driver), with the times taken in the app: `callback` (Rust has the code),
  `outcome` (the token call and the company lookup are done) and `result` (the result step
  is rendered). The target is result - outcome <= 50 ms: the app's own part.

Writes target/bench/bench-<utc time>.json and target/bench/latest.json, and a Markdown table
(target/bench/latest.md) for docs/performance.md.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1024 * 1024


def now_ms():
    return time.time() * 1000.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_env(tmp, extra=None):
    """An environment with HOME and the XDG folders in `tmp` (no saved connections there,
    so the app shows step 1)."""
    env = dict(os.environ)
    for k in ("XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID"):
        env.pop(k, None)
    dirs = {
        "HOME": "home",
        "XDG_CONFIG_HOME": "config",
        "XDG_DATA_HOME": "data",
        "XDG_CACHE_HOME": "cache",
        "XDG_STATE_HOME": "state",
        "XDG_RUNTIME_DIR": "runtime",
    }
    for var, sub in dirs.items():
        path = os.path.join(tmp, sub)
        os.makedirs(path, exist_ok=True)
        env[var] = path
    os.chmod(env["XDG_RUNTIME_DIR"], 0o700)
    env["CARGO_HOME"] = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    env["LANG"] = "C.UTF-8"
    env["LC_ALL"] = "C.UTF-8"
    # Same for both windows; saves ~65 MB of the web process under Xvfb's software GL.
    env["WEBKIT_DISABLE_DMABUF_RENDERER"] = "1"
    env["FORTNOX_ACTIVATOR_READY"] = "1"
    env.update(extra or {})
    return env


# ------------------------------------------------------------------ processes


def children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields after the last ')' are fixed.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def stop_tree(proc):
    pids = tree(proc.pid)
    for p in reversed(pids):
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def read_line(proc, word, timeout):
    """The first stdout line starting with `word`, as (value, lines before it)."""
    deadline = time.monotonic() + timeout
    seen = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        line = proc.stdout.readline()
        if not line:
            break
        line = line.decode(errors="replace").strip()
        if line.startswith(word + " "):
            return int(line.split()[1]), seen
        seen.append(line)
    raise RuntimeError(f"no '{word}' line within {timeout} s (stdout so far: {seen})")


def launch_once(binary, settle, profile):
    """One launch: ms from exec to `ready`, then the tree's PSS after `settle` seconds.
    `profile`: the home and XDG folders, kept across the launches of one binary in a run, as
    on a computer where the app has started before (its link scheme registered, WebKit's
    caches there); nothing is ever saved in them, so the app still opens on step 1."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        env = fresh_env(profile)
        start = now_ms()
        proc = subprocess.Popen(
            [binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=tmp, bufsize=0
        )
        try:
            ready, before = read_line(proc, "ready", 60)
            time.sleep(settle)
            pids = tree(proc.pid)
            parts = {}
            for p in pids:
                parts[comm(p)] = parts.get(comm(p), 0) + pss_kib(p)
            total = sum(parts.values())
            # A second `ready` line would break the contract: look for one (without blocking).
            os.set_blocking(proc.stdout.fileno(), False)
            extra = (proc.stdout.read() or b"").decode(errors="replace")
            ready_lines = 1 + sum(1 for l in extra.splitlines() if l.startswith("ready "))
        finally:
            stop_tree(proc)
        phases = {}
        # The window sends its own phases (script, dom) just after `ready`.
        for line in before + extra.splitlines():
            word, _, value = line.partition(" ")
            if word in PHASES and value.isdigit() and word not in phases:
                phases[word] = int(value) - start
        phases["ready"] = ready - start
        return {
            "launch_to_ready_ms": ready - start,
            "phases_ms": phases,
            "pss_mib": total / 1024.0,
            "pss_by_process_mib": {k: round(v / 1024.0, 1) for k, v in sorted(parts.items())},
            "ready_lines": ready_lines,
        }


# The launch phases, in order (see src-tauri/src/marks.rs); the baseline prints the first three.
PHASES = ("main", "setup", "page", "script", "dom")


def summary(values):
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "min": values[0],
        "max": values[-1],
        "runs": [round(v, 1) for v in values],
    }


def stripped_size(binary):
    strip = shutil.which("strip")
    if not strip:
        return os.path.getsize(binary)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "stripped")
        subprocess.run([strip, "-o", out, binary], check=True)
        return os.path.getsize(out)


# ------------------------------------------------------------------ WebDriver (W3C, plain HTTP)

ELEMENT = "element-6066-11e4-a23f-4f6b4b1b7f9a"


class WebDriver:
    def __init__(self, url):
        self.url = url
        self.sid = None

    def call(self, method, path, body=None, timeout=60, retries=0):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(retries + 1):
            req = urllib.request.Request(self.url + path, data=data, method=method)
            req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    return json.loads(r.read() or b"{}").get("value")
            except (ConnectionError, http.client.RemoteDisconnected):
                # The driver sometimes drops a connection without answering: ask again
                # (only for lookups, which change nothing).
                if attempt == retries:
                    raise
                time.sleep(0.3)

    def start(self, application):
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": application}}}}
        last = None
        for _ in range(3):  # WebKitWebDriver sometimes drops the first session on a fresh display.
            try:
                self.sid = self.call("POST", "/session", caps)["sessionId"]
                return
            except Exception as e:  # noqa: BLE001 - retried, then raised
                last = e
                time.sleep(1)
        raise RuntimeError(f"no WebDriver session: {last}")

    def s(self, path):
        return f"/session/{self.sid}{path}"

    def find(self, css, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                v = self.call("POST", self.s("/element"), {"using": "css selector", "value": css}, retries=5)
                if isinstance(v, dict) and "error" not in v and v:
                    return v.get(ELEMENT) or next(iter(v.values()))
            except urllib.error.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no element matches {css}")
            time.sleep(0.05)

    def visible(self, css, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            el = self.find(css, timeout)
            try:
                if self.call("GET", self.s(f"/element/{el}/displayed"), retries=5) is True:
                    return el
            except urllib.error.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{css} not visible")
            time.sleep(0.05)

    def click(self, css, timeout=30):
        deadline = time.monotonic() + timeout
        while True:  # retried while not yet interactable
            try:
                self.call("POST", self.s(f"/element/{self.visible(css)}/click"), {})
                return
            except urllib.error.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def script(self, js):
        return self.call("POST", self.s("/execute/sync"), {"script": js, "args": []}, retries=5)

    def click_until(self, css, done_js, timeout=30):
        """Clicks `css`; when the driver drops the connection without an answer, the click
        is repeated only if `done_js` (a script returning true once it took effect) says it
        did not happen."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.call("POST", self.s(f"/element/{self.visible(css)}/click"), {})
                return
            except (ConnectionError, http.client.RemoteDisconnected, urllib.error.HTTPError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
                if self.script(done_js):
                    return

    def fill(self, css, text):
        el = self.visible(css)
        self.call("POST", self.s(f"/element/{el}/clear"), {})
        if text:
            self.call("POST", self.s(f"/element/{el}/value"), {"text": text})

    def attr(self, css, name):
        return self.call("GET", self.s(f"/element/{self.find(css)}/attribute/{name}"), retries=5)

    def quit(self):
        if self.sid:
            try:
                self.call("DELETE", self.s(""), timeout=10)
            except Exception:  # noqa: BLE001 - the window may be gone already
                pass


def callback_to_result(app, standin, fake_browser, runs):
    """Activations through the real window; times from the app's own marks."""
    client_id, secret = "bench-client", "bench-secret"
    redirect = f"http://localhost:{free_port()}/callback"
    sp = subprocess.Popen(
        [standin, "--client-id", client_id, "--client-secret", secret, "--redirect-uri", redirect],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    tmp = tempfile.mkdtemp(prefix="bench-flow-")
    driver = wd = None
    try:
        urls = {}
        while len(urls) < 2:
            line = sp.stdout.readline().decode().strip()
            if not line:
                raise RuntimeError("the stand-in did not start")
            k, _, v = line.partition("=")
            if k in ("FORTNOX_OAUTH_URL", "FORTNOX_API_URL"):
                urls[k] = v
        out_path = os.path.join(tmp, "marks.txt")
        extra = {
            **urls,
            "BROWSER": fake_browser,
            "FAKE_BROWSER_LOG": os.path.join(tmp, "browser.log"),
            # The driver sends the window's stdout to /dev/null: the marks come through a file.
            "FORTNOX_ACTIVATOR_MARKS_FILE": out_path,
        }
        env = fresh_env(tmp, extra)
        env["WEBKIT_DISABLE_COMPOSITING_MODE"] = "1"
        port, native = free_port(), free_port()
        driver = subprocess.Popen(
            ["tauri-driver", "--port", str(port), "--native-port", str(native)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wd = WebDriver(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                wd.call("GET", "/status", timeout=2)
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        wd.start(app)
        wd.visible("#connection-name")
        wd.fill("#connection-name", "Benchbolaget AB")
        wd.fill("#client-id", client_id)
        wd.fill("#client-secret", secret)
        wd.fill("#redirect-uri", redirect)
        step = "return document.querySelector('.panel:not([hidden])')?.dataset.step"
        at = lambda n: f"{step} === '{n}'"  # noqa: E731
        wd.click_until("#next", at(2))
        wd.click_until(
            "input[name=scope][value=companyinformation]",
            "return document.querySelector('input[name=scope][value=companyinformation]').checked",
        )
        wd.click_until("#next", at(3))
        samples = []
        for i in range(runs + 1):  # the first activation warms up, unmeasured
            wd.click_until("#authorize", f"return !document.getElementById('auth-active').hidden || {at(4)[7:]}")
            wd.find("#result[data-status]")
            status = wd.attr("#result", "data-status")
            if status != "success":
                raise RuntimeError(f"activation {i} ended with {status!r}")
            # The marks are printed before `result` returns to the window; allow a moment.
            marks = wait_marks(out_path, i + 1)
            if i > 0:
                samples.append(marks[i])
            # Without a keychain (none unlocked) the keys are not saved, so "Activate
            # another connection" first asks whether to leave them: yes.
            dialog_open = "return document.getElementById('dialog').open"
            wd.click_until("#start-over", f"{dialog_open} || {at(1)[7:]}")
            if wd.script(dialog_open):
                wd.click_until("#dialog-confirm", at(1))
            # "Activate another connection" keeps the integration and clears the name.
            wd.fill("#connection-name", f"Benchbolaget AB {i + 1}")
            wd.click_until("#next", at(2))
            wd.click_until("#next", at(3))
        return samples
    finally:
        if wd:
            wd.quit()
        if driver:
            stop_tree(driver)
        stop_tree(sp)
        shutil.rmtree(tmp, ignore_errors=True)


def wait_marks(path, count, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        rounds, cur = [], {}
        text = b""
        if os.path.exists(path):
            with open(path, "rb") as f:
                text = f.read()
        for line in text.decode(errors="replace").splitlines():
            word, _, value = line.strip().partition(" ")
            if word in ("callback", "outcome", "result") and value.isdigit():
                cur[word] = int(value)
                if word == "result":
                    rounds.append(cur)
                    cur = {}
        full = [r for r in rounds if {"callback", "outcome", "result"} <= r.keys()]
        if len(full) >= count:
            return [
                {
                    "callback_to_result_ms": r["result"] - r["callback"],
                    "callback_to_outcome_ms": r["outcome"] - r["callback"],
                    "outcome_to_result_ms": r["result"] - r["outcome"],
                }
                for r in full
            ]
        if time.monotonic() > deadline:
            raise RuntimeError(f"expected {count} rounds of marks, found {rounds}")
        time.sleep(0.05)


# ------------------------------------------------------------------ main


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024 // 1024
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "kernel": platform.release(),
        "load_average_at_start": os.getloadavg(),
        "display": os.environ.get("DISPLAY", ""),
    }


def ratio(a, b):
    return a / b if b else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--app", default=os.path.join(ROOT, "target/release/fortnox-activator"))
    ap.add_argument("--baseline", default=os.path.join(ROOT, "target/release/bench-baseline"))
    ap.add_argument("--standin", default=os.path.join(ROOT, "target/debug/fortnox-standin"))
    ap.add_argument("--fake-browser", default=os.path.join(ROOT, "target/debug/fake-browser"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target/bench"))
    ap.add_argument("--label", default="", help="a note stored with the figures (e.g. the profile)")
    ap.add_argument("--no-flow", action="store_true", help="skip callback -> result")
    a = ap.parse_args()
    for k in ("app", "baseline", "standin", "fake_browser", "out"):
        setattr(a, k, os.path.abspath(getattr(a, k)))

    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, load {info['load_average_at_start'][0]:.2f}", flush=True)
    names = {"app": a.app, "baseline": a.baseline}
    launches = {"app": [], "baseline": []}
    profiles = {name: tempfile.mkdtemp(prefix=f"bench-{name}-") for name in names}
    for name, binary in names.items():
        print(f"warm-up launch: {name}", flush=True)
        launch_once(binary, 0.5, profiles[name])
    for i in range(a.runs):
        for name, binary in names.items():
            r = launch_once(binary, a.settle, profiles[name])
            launches[name].append(r)
            print(
                f"  {name:8} run {i + 1}: launch -> ready {r['launch_to_ready_ms']:7.1f} ms, PSS {r['pss_mib']:6.1f} MiB",
                flush=True,
            )
    for d in profiles.values():
        shutil.rmtree(d, ignore_errors=True)

    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "label": a.label,
        "machine": info,
        "runs": a.runs,
        "settle_s": a.settle,
    }
    for name in names:
        rs = launches[name]
        result[name] = {
            "binary": names[name],
            "stripped_bytes": stripped_size(names[name]),
            "launch_to_ready_ms": summary([r["launch_to_ready_ms"] for r in rs]),
            "pss_mib": summary([r["pss_mib"] for r in rs]),
            "pss_by_process_mib_last_run": rs[-1]["pss_by_process_mib"],
            "ready_lines_per_launch": sorted({r["ready_lines"] for r in rs}),
        }
        phases = [p for p in PHASES + ("ready",) if all(p in r["phases_ms"] for r in rs)]
        if len(phases) > 1:
            result[name]["phases_ms"] = {p: summary([r["phases_ms"][p] for r in rs]) for p in phases}
    app, base = result["app"], result["baseline"]
    result["ratios"] = {
        "launch_to_ready": ratio(app["launch_to_ready_ms"]["median"], base["launch_to_ready_ms"]["median"]),
        "pss": ratio(app["pss_mib"]["median"], base["pss_mib"]["median"]),
        "stripped_size": ratio(app["stripped_bytes"], base["stripped_bytes"]),
    }
    if not a.no_flow:
        print("callback -> result through the window (WebDriver, stand-in)...", flush=True)
        samples = callback_to_result(a.app, a.standin, a.fake_browser, a.runs)
        result["callback_to_result"] = {
            k: summary([s[k] for s in samples])
            for k in ("callback_to_result_ms", "callback_to_outcome_ms", "outcome_to_result_ms")
        }
    result["load_average_at_end"] = os.getloadavg()
    write_figures(result, markdown(result), a.out, "bench", "latest")


def write_figures(result, table, out, kind, latest):
    """Writes the figures as <out>/<kind>-<utc time>.json and <out>/<latest>.json, the table as
    <out>/<latest>.md, and prints the table."""
    os.makedirs(out, exist_ok=True)
    stamp = result["date"].replace(":", "").replace("+0000", "Z")
    text = json.dumps(result, indent=2)
    for name in (f"{kind}-{stamp}.json", f"{latest}.json"):
        with open(os.path.join(out, name), "w") as f:
            f.write(text + "\n")
    with open(os.path.join(out, f"{latest}.md"), "w") as f:
        f.write(table)
    print()
    print(table)
    print(f"figures: {os.path.join(out, latest + '.json')}")


def spread(s, unit, digits=0):
    return f"{s['median']:.{digits}f} {unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def markdown(r):
    app, base, q = r["app"], r["baseline"], r["ratios"]
    m = r["machine"]
    lines = [
        f"Measured {r['date'][:16].replace('T', ' ')} UTC on {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, under Xvfb; release builds, same profile; medians of {r['runs']} "
        f"launches (min–max); load average {m['load_average_at_start'][0]:.1f} at start, "
        f"{r['load_average_at_end'][0]:.1f} at end.",
        "",
        "| | Fortnox Activator | bare Tauri window | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        f"| launch → ready (step 1 takes typing / DOMContentLoaded) | {spread(app['launch_to_ready_ms'], 'ms')} "
        f"| {spread(base['launch_to_ready_ms'], 'ms')} | {q['launch_to_ready']:.2f}× | ≤ 1.10× |",
        f"| process tree PSS, 3 s after ready | {spread(app['pss_mib'], 'MiB', 1)} "
        f"| {spread(base['pss_mib'], 'MiB', 1)} | {q['pss']:.2f}× | ≤ 1.05× |",
        f"| binary, stripped | {app['stripped_bytes'] / 1e6:.2f} MB | {base['stripped_bytes'] / 1e6:.2f} MB "
        f"| {q['stripped_size']:.2f}× | ≤ 8 MB |",
    ]
    c = r.get("callback_to_result")
    if c:
        lines.append(
            f"| callback → result on screen | {spread(c['callback_to_result_ms'], 'ms')}, of which token call + "
            f"company lookup {spread(c['callback_to_outcome_ms'], 'ms')}, the app's own part "
            f"{spread(c['outcome_to_result_ms'], 'ms')} | | | own part ≤ 50 ms |"
        )
    for who, res in (("app's", app), ("bare window's", base)):
        ph = res.get("phases_ms")
        if ph:
            steps = " → ".join(f"{p} {s['median']:.0f}" for p, s in ph.items())
            lines += ["", f"Where the {who} launch goes (medians, ms after exec): {steps}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
