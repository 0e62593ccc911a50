"""tix check, backup, stats and writing commands run alongside a process
that has the store open in journal mode, the default (docs/guide.md,
"Multi-process use"): journal mode shares the store between processes."""
import os
import subprocess

import pytest

import tix
from conftest import REPO


def _cli():
    lib = os.environ.get("TIX_LIB", "")
    cand = os.path.join(os.path.dirname(lib), "cli", "tix") if lib else ""
    if not os.path.exists(cand):
        cand = os.path.join(REPO, "build", "debug", "cli", "tix")
    if not os.path.exists(cand):
        pytest.skip("no tix CLI built next to TIX_LIB")
    return cand


def test_readers_run_beside_a_journal_writer(tmp_path):
    store = str(tmp_path / "s")
    db = tix.open(store, durability="journal")
    try:
        cli = _cli()
        run = lambda *a: subprocess.run([cli, "-s", store] + list(a),
                                        capture_output=True, text=True,
                                        timeout=60)
        r = run("check")
        assert r.returncode == 0, r.stderr
        assert "consistent" in r.stdout
        r = run("backup", str(tmp_path / "b"))
        assert r.returncode == 0, r.stderr
        assert os.path.exists(str(tmp_path / "b" / "data.mdb"))
        r = run("stats")
        assert r.returncode == 0, r.stderr
        # a writing command commits into the same journal
        r = run("user", "add", "--name", "X", "--email", "x@example.com")
        assert r.returncode == 0, r.stderr
        assert [u.email for u in db.users()] == ["x@example.com"]
    finally:
        db.close()
