"""The example scripts run end to end (as separate processes, the way a
user starts them), with bounded timeouts."""
import os
import re
import subprocess
import sys
import threading

import tix
from conftest import REPO, needs

EXAMPLES = os.path.join(REPO, "examples", "python")


def run(args, timeout=60):
    return subprocess.run([sys.executable] + args, capture_output=True,
                          text=True, timeout=timeout)


def test_booking_flow(tmp_path):
    store = str(tmp_path / "store")
    r = run([os.path.join(EXAMPLES, "booking_flow.py"), "--create", store])
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for step in ("1. search", "2. shows", "3. seat map", "4. best 3 Gold",
                 "5. payment ok", "6. tickets", "7. gate"):
        assert step in out
    assert "same booking" in out and "refused, first at Gate A" in out
    assert len(re.findall(r"QR tix1:", out)) == 2
    # a second run on the same store books again (catalog loaded once)
    r = run([os.path.join(EXAMPLES, "booking_flow.py"), store])
    assert r.returncode == 0, r.stderr
    assert "booking 2 " in r.stdout


@needs("tix_outbox_register", "tix_outbox_read", "tix_outbox_wait")
def test_notify_worker_drains_and_is_idempotent(tmp_path):
    store, mail = str(tmp_path / "store"), str(tmp_path / "mail.txt")
    assert run([os.path.join(EXAMPLES, "booking_flow.py"), "--create",
                store]).returncode == 0
    r = run([os.path.join(EXAMPLES, "notify_worker.py"), "--store", store,
             "--out", mail])
    assert r.returncode == 0, r.stderr
    text = open(mail).read()
    assert text.count("X-Tix-Seq:") == 2   # booked + checked in
    assert "Subject: Your tickets for Orbit 9" in text
    assert "To: Asha Rao <asha@example.com>" in text
    assert "QR tix1:" in text and "Gate: Gate A" in text
    r = run([os.path.join(EXAMPLES, "notify_worker.py"), "--store", store,
             "--out", mail])
    assert "0 mail(s) written" in r.stdout
    assert open(mail).read() == text


SCRIPTS = {"booking_flow.py": [], "http_api.py": ["--port", "0"],
           "notify_worker.py": []}


def _store_args(script, store):
    return [store] if script == "booking_flow.py" else ["--store", store]


def test_examples_refuse_a_missing_store(tmp_path):
    """A mistyped path is an error, not a new empty store (issue 19)."""
    for script, extra in SCRIPTS.items():
        store = str(tmp_path / ("typo-" + script))
        r = run([os.path.join(EXAMPLES, script)] + _store_args(script, store)
                + extra, timeout=30)
        assert r.returncode == 2, (script, r.stdout, r.stderr)
        assert "does not exist" in r.stderr, (script, r.stderr)
        assert not os.path.exists(store), script


def test_help_creates_nothing(tmp_path):
    for script in SCRIPTS:
        r = subprocess.run([sys.executable, os.path.join(EXAMPLES, script),
                            "--help"], capture_output=True, text=True,
                           timeout=30, cwd=str(tmp_path))
        assert r.returncode == 0, (script, r.stderr)
        assert "--durability" in r.stdout and "journal" in r.stdout, script
        assert os.listdir(str(tmp_path)) == [], (script, os.listdir(str(tmp_path)))


@needs("tix_outbox_register", "tix_outbox_read", "tix_outbox_wait")
def test_notify_worker_skips_mail_already_written(tmp_path):
    """A crash after writing but before the ack: the event comes again and
    the worker does not write it twice."""
    sys.path.insert(0, EXAMPLES)
    try:
        import notify_worker
        import demo_data
    finally:
        sys.path.remove(EXAMPLES)
    store, mail = str(tmp_path / "store"), str(tmp_path / "mail.txt")
    with tix.open(store, durability="none") as db:
        info = demo_data.ensure(db)
        with info["shows"][0].hold([3]) as h:
            h.confirm(info["user"], "crash-1")
        ev = db.consumer("email").read()[0]
    with open(mail, "w") as f:
        f.write(notify_worker.render(ev))   # written, never acknowledged
    assert notify_worker.run(store, mail, log=lambda m: None) == 0
    assert open(mail).read().count("X-Tix-Seq:") == 1
    with tix.open(store) as db:
        assert db.consumer("email").read() == []


@needs("tix_outbox_register", "tix_outbox_read", "tix_outbox_wait")
def test_notify_worker_follow_until_stopped(tmp_path):
    sys.path.insert(0, EXAMPLES)
    try:
        import notify_worker
        import demo_data
    finally:
        sys.path.remove(EXAMPLES)
    store, mail = str(tmp_path / "store"), str(tmp_path / "mail.txt")
    with tix.open(store, durability="none") as db:
        demo_data.ensure(db)
    stop = threading.Event()
    result = []
    # the worker follows the outbox in a thread of this process ...
    t = threading.Thread(target=lambda: result.append(notify_worker.run(
        store, mail, follow=True, stop=stop, poll=0.05, log=lambda m: None)))
    t.start()
    try:
        from conftest import wait_for
        assert wait_for(lambda: os.path.exists(mail), timeout=10)
        # ... while another process sells a ticket in the same store
        code = ("import sys; sys.path.insert(0, %r); import demo_data, tix\n"
                "with tix.open(%r) as db:\n"
                "    i = demo_data.ensure(db)\n"
                "    with i['shows'][1].hold([7]) as h:\n"
                "        h.confirm(i['user'], 'follow-1')\n" % (EXAMPLES, store))
        r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: "X-Tix-Seq:" in open(mail).read(), timeout=10)
    finally:
        stop.set()
        t.join(15)
    assert not t.is_alive() and result == [1]


def test_bench_smoke():
    """bench.py runs its loops and prints JSON (C side skipped here: the
    figures are for humans, the test only checks the script works)."""
    import json
    r = run([os.path.join(REPO, "bindings", "python", "bench.py"),
             "--seconds", "0.2", "--repeat", "1", "--threads", "1",
             "--confirm-threads", "2",
             "--no-c", "--json"], timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    kinds = {(x["scenario"], x["threads"]) for x in out["results"]}
    assert kinds == {("hold_release", 1), ("confirm", 2)}
    assert all(x["python_tix"] > 0 and x["python_raw_cffi"] > 0
               for x in out["results"])
