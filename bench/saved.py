#!/usr/bin/env python3
"""Saved connections at scale (issue 17's speed): the credential helper, the list of 1,000 and
the window's first screen, side by side in one run.

Run through `scripts/bench.sh saved`, which builds the release binaries and gives this a session
bus with an unlocked gnome-keyring (a scratch one, never the user's) and a display. Standard
library only, plus `secret-tool` (libsecret-tools). Never asserts anything: it prints figures
and says whether each target is met.

Two throwaway homes (HOME and XDG folders, as bench.py's launches have), seeded by
`seed-connections` (tests/src/bin/seed-connections.rs: the connections file written with the
store's own code, every saved secret put in the keychain through the store's KeyringStore, in
gnome-keyring's in-memory collection: see keys_in_memory): one saved connection, and --count
(1,000) of them. Then, medians and ranges of --runs runs
after one unmeasured warm-up each:

- `fortnox-activate token ID` with 1,000 saved, its access token valid for an hour (no
  refresh: one file read, one keychain read), as a whole process, against the floor: reading
  the same entry with `secret-tool lookup`, alternating. Both print the same token (checked).
  Target: at most 2x the floor.
- `fortnox-activate list` (the table) and `list --json` with 1,000 saved. Target: 100 ms.
  And that listing reads no keychain: `list --json` again with the session bus pointing
  nowhere (no Secret Service at all) must still list every connection.
- the window's first screen: launch -> ready (bench.py's launch, the `ready` line under
  FORTNOX_ACTIVATOR_READY=1: the saved list drawn and taking input) with 1,000 saved against
  one, alternating. Target: at most 1.2x.

Writes target/bench/saved-<utc time>.json, target/bench/saved-latest.json and
target/bench/saved-latest.md (the table docs/performance.md carries).
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (bench.py: the launch, the environment, the machine)

ROOT = bench.ROOT
SERVICE = "se.fortnoxactivator.app"


def timed(argv, env):
    """Runs argv to its end: (ms from just before exec to its exit, completed process)."""
    start = time.perf_counter()
    p = subprocess.run(argv, env=env, capture_output=True, timeout=60)
    return (time.perf_counter() - start) * 1000.0, p


def keys_in_memory():
    """Points the Secret Service's `default` alias at gnome-keyring's in-memory `session`
    collection, so that the seeding's ~2,750 entries are not each followed by a rewrite of the
    whole keyring file on disk (minutes, growing with the square of the count). A lookup
    searches every collection alike, so what is measured is the same; the scratch keyring is
    thrown away afterwards. Retried while the daemon registers on the bus."""
    argv = [
        "dbus-send", "--session", "--dest=org.freedesktop.secrets", "--print-reply", "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.SetAlias", "string:default", "objpath:/org/freedesktop/secrets/collection/session",
    ]
    for _ in range(50):
        if subprocess.run(argv, capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("the Secret Service did not take the default alias (is gnome-keyring running?)")


def seed(seeder, profile, count):
    env = bench.fresh_env(profile)
    out = subprocess.run([seeder, "--count", str(count), "--keychain"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"seed-connections failed: {out.stderr.strip()}")
    path, first = out.stdout.split()[:2]
    return env, first


def summary(values):
    return bench.summary([round(v, 2) for v in values])


def spread(s, digits=0):
    return f"{s['median']:.{digits}f} ms ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--cli", default=os.path.join(ROOT, "target/release/fortnox-activate"))
    ap.add_argument("--app", default=os.path.join(ROOT, "target/release/fortnox-activator"))
    ap.add_argument("--seeder", default=os.path.join(ROOT, "target/debug/seed-connections"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target/bench"))
    ap.add_argument("--no-window", action="store_true", help="skip the window's first screen")
    ap.add_argument("--label", default="", help="a note stored with the figures")
    a = ap.parse_args()
    for k in ("cli", "app", "seeder", "out"):
        setattr(a, k, os.path.abspath(getattr(a, k)))
    if not shutil.which("secret-tool"):
        sys.exit("saved: secret-tool is missing (scripts/setup.sh --bench installs libsecret-tools)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        sys.exit("saved: no session bus (run it through scripts/bench.sh saved)")

    info = bench.machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, load {info['load_average_at_start'][0]:.2f}", flush=True)
    profiles = {name: tempfile.mkdtemp(prefix=f"bench-saved-{name}-") for name in ("one", "many")}
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "label": a.label,
        "machine": info,
        "runs": a.runs,
        "count": a.count,
    }
    try:
        t0 = time.monotonic()
        keys_in_memory()
        env_one, _ = seed(a.seeder, profiles["one"], 1)
        env_many, token_id = seed(a.seeder, profiles["many"], a.count)
        result["seed_s"] = round(time.monotonic() - t0, 1)
        print(f"seeded 1 and {a.count} connections, their keys in the keychain ({result['seed_s']} s)", flush=True)

        # -- the credential helper against one Secret Service read
        token = [a.cli, "token", token_id]
        floor = ["secret-tool", "lookup", "service", SERVICE, "username", f"{token_id}/access_token"]
        samples = {"token": [], "floor": []}
        for i in range(a.runs + 1):
            ms_t, pt = timed(token, env_many)
            ms_f, pf = timed(floor, env_many)
            if pt.returncode != 0:
                raise RuntimeError(f"token exited {pt.returncode}: {pt.stderr.decode(errors='replace')}")
            if pt.stdout.strip() != pf.stdout.strip() or not pf.stdout.strip():
                raise RuntimeError("token and secret-tool did not print the same access token")
            if i > 0:
                samples["token"].append(ms_t)
                samples["floor"].append(ms_f)
        result["token"] = summary(samples["token"])
        result["secret_tool"] = summary(samples["floor"])
        print(f"  token NAME        {spread(result['token'], 1)}", flush=True)
        print(f"  secret-tool lookup {spread(result['secret_tool'], 1)}", flush=True)

        # -- the list of 1,000
        for key, argv in (("list", [a.cli, "list"]), ("list_json", [a.cli, "list", "--json"])):
            ms = []
            for i in range(a.runs + 1):
                t, p = timed(argv, env_many)
                if p.returncode != 0:
                    raise RuntimeError(f"{' '.join(argv[1:])} exited {p.returncode}")
                if i > 0:
                    ms.append(t)
            result[key] = summary(ms)
            print(f"  {' '.join(argv[1:]):17} {spread(result[key], 1)}", flush=True)
        rows = len(json.loads(subprocess.run([a.cli, "list", "--json"], env=env_many, capture_output=True).stdout))
        # No keychain at all: the session bus points nowhere. Listing must not need it.
        no_bus = dict(env_many, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bench-no-bus")
        p = subprocess.run([a.cli, "list", "--json"], env=no_bus, capture_output=True)
        listed = len(json.loads(p.stdout)) if p.returncode == 0 else 0
        p_token = subprocess.run([a.cli, "token", token_id, "--json"], env=no_bus, capture_output=True)
        result["without_keychain"] = {
            "listed": listed,
            "of": rows,
            "list_exit": p.returncode,
            # The control: token does need the keychain, so the bus really was unusable.
            "token_error": (json.loads(p_token.stdout or b"{}") or {}).get("error"),
        }
        print(f"  list --json without a Secret Service: {listed} of {rows} listed (exit {p.returncode}); "
              f"token then fails with {result['without_keychain']['token_error']}", flush=True)

        # -- the window's first screen, 1,000 against one
        if not a.no_window:
            print("window: launch -> ready (first screen), one saved connection and "
                  f"{a.count}, alternating", flush=True)
            launches = {"one": [], "many": []}
            for name in ("one", "many"):
                bench.launch_once(a.app, 0.3, profiles[name])  # warm-up: WebKit's caches
            for i in range(a.runs):
                for name in ("one", "many"):
                    r = bench.launch_once(a.app, 0.3, profiles[name])
                    launches[name].append(r)
                    print(f"  {name:4} run {i + 1}: launch -> ready {r['launch_to_ready_ms']:7.1f} ms", flush=True)
            for name, rs in launches.items():
                result[f"window_{name}"] = {
                    "launch_to_ready_ms": summary([r["launch_to_ready_ms"] for r in rs]),
                    # The page's own part (from starting to load to ready), where the saved
                    # list is drawn: steadier than the whole launch on a busy machine.
                    "page_to_ready_ms": summary(
                        [r["phases_ms"]["ready"] - r["phases_ms"]["page"] for r in rs if "page" in r["phases_ms"]]
                    ),
                    "phases_ms": {
                        p: summary([r["phases_ms"][p] for r in rs])
                        for p in bench.PHASES + ("ready",)
                        if all(p in r["phases_ms"] for r in rs)
                    },
                }
    finally:
        for d in profiles.values():
            shutil.rmtree(d, ignore_errors=True)
    result["load_average_at_end"] = os.getloadavg()
    bench.write_figures(result, markdown(result), a.out, "saved", "saved-latest")


def met(ok):
    return "**met**" if ok else "**missed**"


def markdown(r):
    m = r["machine"]
    n = f"{r['count']:,}"
    tok, floor = r["token"], r["secret_tool"]
    q_token = tok["median"] / floor["median"]
    nk = r["without_keychain"]
    lines = [
        f"Measured {r['date'][:16].replace('T', ' ')} UTC on {m['cpu']}, {m['cores']} cores, under Xvfb, a "
        f"session bus and an unlocked gnome-keyring holding the keys of {n} connections; release builds; "
        f"medians of {r['runs']} runs (min–max); load average {m['load_average_at_start'][0]:.1f} at start, "
        f"{r['load_average_at_end'][0]:.1f} at end.",
        "",
        "| | measured | compared with | ratio | target | |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| `token NAME`, no refresh needed, whole process ({n} saved) | {spread(tok, 1)} "
        f"| `secret-tool lookup` of the same entry: {spread(floor, 1)} | {q_token:.2f}× | ≤ 2× | {met(q_token <= 2)} |",
        f"| `list`, {n} saved | {spread(r['list'], 1)} | | | ≤ 100 ms | {met(r['list']['median'] <= 100)} |",
        f"| `list --json`, {n} saved | {spread(r['list_json'], 1)} | | | ≤ 100 ms "
        f"| {met(r['list_json']['median'] <= 100)} |",
        f"| `list --json` with no Secret Service at all | {nk['listed']:,} of {nk['of']:,} listed, exit "
        f"{nk['list_exit']} | (`token` then: `{nk['token_error']}`) | | no keychain read "
        f"| {met(nk['listed'] == nk['of'] == r['count'] and nk['list_exit'] == 0)} |",
    ]
    if "window_many" in r:
        many, one = r["window_many"]["launch_to_ready_ms"], r["window_one"]["launch_to_ready_ms"]
        q = many["median"] / one["median"]
        lines.append(
            f"| window: launch → first screen ready, {n} saved | {spread(many)} | one saved: {spread(one)} "
            f"| {q:.2f}× | ≤ 1.2× | {met(q <= 1.2)} |"
        )
        pm, po = r["window_many"]["page_to_ready_ms"], r["window_one"]["page_to_ready_ms"]
        lines.append(
            f"| window: page starts loading → first screen ready (its part of the above), {n} saved | {spread(pm)} "
            f"| one saved: {spread(po)} | +{pm['median'] - po['median']:.0f} ms | | |"
        )
        for name, label in (("one", "one saved"), ("many", f"{n} saved")):
            ph = r[f"window_{name}"]["phases_ms"]
            steps = " → ".join(f"{p} {s['median']:.0f}" for p, s in ph.items())
            lines += ["", f"Where the window's launch goes with {label} (medians, ms after exec): {steps}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
