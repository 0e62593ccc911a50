"""Issue 19, the Python binding as a new user meets it: times as aware
datetimes, seats by label, cities by name, where the library is loaded
from, a typed package with docstrings, and an offline pip install."""
import datetime
import inspect
import os
import shutil
import subprocess
import sys

import pytest

import tix
from conftest import PKG_ROOT, at

UTC = datetime.timezone.utc


def test_times_are_aware_datetimes(city, payref):
    sh = city.show
    assert isinstance(sh.start, datetime.datetime) and sh.start.tzinfo
    with sh.hold(["A1"], ttl=60) as h:
        assert h.expires.tzinfo is not None
        assert h.expires == at(city.db.now() + 60)
        b = h.confirm(city.user, payref())
    assert b.created_at.tzinfo is not None and b.cancelled_at is None
    assert b.as_dict()["created_at"] == b.created_at.isoformat()
    # a datetime in another zone is the same instant
    ist = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    later = (sh.end + datetime.timedelta(hours=2)).astimezone(ist)
    s2 = tix.Show.create(city.db, city.movie, city.screen, later)
    assert s2.start == later and s2.start.utcoffset() == datetime.timedelta(0)


def test_seats_by_label(city):
    sh = city.show
    seats = sh.seats()
    by_label = {s.label: s.index for s in seats}
    want = [by_label["B3"], by_label["B4"]]
    with sh.hold(["B3", "b4"]) as h:           # case does not matter
        assert list(h.seats) == sorted(want)
        with pytest.raises(tix.Conflict):
            sh.hold(["B4"])
        h.release()
    with sh.hold([seats[0], "A2", 2]) as h:    # Seat, label and index mixed
        assert list(h.seats) == [0, 1, 2]
        h.release()
    with pytest.raises(tix.NotFound) as ei:
        sh.hold(["Z99"])
    assert "Z99" in str(ei.value)
    sh.block("C1")
    assert sh.seat_states()[by_label["C1"]] == tix.SeatState.UNAVAILABLE
    sh.unblock(["C1"])
    q = sh.quote(["A1", "A2"])
    assert [s.seat for s in q.seats] == [by_label["A1"], by_label["A2"]]


def test_shows_by_city_name(city):
    d = city.show.local_date
    assert city.db.shows(city=city.city.name, date=d) == [city.show]
    assert city.db.shows(city=city.city.name.upper(), date=d) == [city.show]
    with pytest.raises(tix.NotFound) as ei:
        city.db.shows(city="Atlantis", date=d)
    assert "Atlantis" in str(ei.value)


def test_lib_path_prefers_the_release_build(monkeypatch):
    monkeypatch.delenv("TIX_LIB", raising=False)
    c = tix._ffi.candidates()
    assert c[0].endswith(os.path.join("build", "release", "libtix.so"))
    assert c[1].endswith(os.path.join("build", "debug", "libtix.so"))
    monkeypatch.setenv("TIX_LIB", "/x/libtix.so")
    assert tix._ffi.candidates() == ["/x/libtix.so"]


def _public_callables():
    """(qualified name, function) of every public function and method of
    the package's modules."""
    mods = [tix.db, tix.catalog, tix.seats, tix.reviews, tix.discover,
            tix.outbox, tix.offers, tix.errors, tix.money]
    seen = set()
    for m in mods:
        for name, obj in vars(m).items():
            if name.startswith("_") or getattr(obj, "__module__", "") != m.__name__:
                continue
            if inspect.isfunction(obj):
                yield "%s.%s" % (m.__name__, name), obj
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") and attr != "__init__":
                        continue
                    fn = member
                    if isinstance(member, (classmethod, staticmethod)):
                        fn = member.__func__
                    elif isinstance(member, property):
                        fn = member.fget
                    if inspect.isfunction(fn) and fn not in seen:
                        seen.add(fn)
                        yield "%s.%s.%s" % (m.__name__, name, attr), fn


def test_every_public_method_is_typed_and_documented():
    untyped, undocumented = [], []
    for qual, fn in _public_callables():
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values()
                  if p.name not in ("self", "cls")]
        if sig.return_annotation is inspect.Signature.empty or any(
                p.annotation is inspect.Parameter.empty for p in params):
            untyped.append(qual)
        if fn.__name__ != "__init__" and not (fn.__doc__ or "").strip():
            undocumented.append(qual)
    assert not untyped, "no type hints: %s" % ", ".join(untyped)
    assert not undocumented, "no docstring: %s" % ", ".join(undocumented)


def test_package_is_marked_typed():
    assert os.path.isfile(os.path.join(PKG_ROOT, "tix", "py.typed"))


def test_pip_install_offline(tmp_path):
    """pip builds and installs bindings/python with Debian's setuptools and
    cffi, without the network, and the installed package imports."""
    pip = subprocess.run([sys.executable, "-m", "pip", "--version"],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        pytest.fail("python3-pip is missing (scripts/deps.sh python)")
    # From a copy: setuptools builds in the source directory (build/,
    # tix.egg-info), which must not litter the tree a test runs from.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(PKG_ROOT, name), str(src / name))
    shutil.copytree(os.path.join(PKG_ROOT, "tix"), str(src / "tix"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index",
         "--no-build-isolation", "--no-deps", "--target", str(target),
         str(src)],
        capture_output=True, text=True, timeout=300,
        cwd=str(tmp_path), env=dict(os.environ, PIP_NO_CACHE_DIR="1"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (target / "tix" / "py.typed").is_file()
    lib = os.environ.get("TIX_LIB") or tix.LIB_PATH
    out = subprocess.run(
        [sys.executable, "-c", "import tix, sys; print(tix.__file__); "
         "print(tix.version())"],
        capture_output=True, text=True, timeout=60, cwd=str(tmp_path),
        env=dict(os.environ, PYTHONPATH=str(target), TIX_LIB=lib))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(target)), out.stdout
    assert out.stdout.split()[1] == tix.version()
