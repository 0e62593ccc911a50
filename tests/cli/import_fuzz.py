#!/usr/bin/env python3
"""tix import, every field of a valid layout spoiled in turn.

    python3 tests/cli/import_fuzz.py TIX_BINARY SOURCE_DIR WORK_DIR

Takes a valid layout that uses every kind of field (places, venue, two
screens: rows with label ranges, runs, gaps, aisles, single seats with
positions and flags; stadium blocks with special seats) and, for every
position in it, writes a copy with that one value replaced by a bad one: a
control character in a string, the wrong JSON type, a negative number, a
huge value, a duplicate of its sibling's identifier, or the key removed.
Each copy is imported into a store that already holds a venue. Then:

  - a failed import left the store as it was: the same last_txn, the same
    `tix check` counts, the same files with the same sizes and the same
    data.mdb bytes;
  - its errors name the spoiled field (the field itself, something inside
    it, or its item of a seats list; a tier key also at the rows that use
    it);
  - a spoiling that cannot be valid (a control character in a name, a
    wrong type, a missing required key, ...) did fail.

A spoiling that happens to be valid (a negative x) imports; the store is
then put back from a copy. Exit 0 when every case holds.
"""
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

TIX, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]

BASE = {
    "format": "tix-layout-1",
    "comment": "every kind of field, for the fuzz test",
    "place": {"country": "India", "state": "Goa", "city": "Panaji",
              "utc_offset_min": 330},
    "venue": {"name": "Fuzz Cinema", "address": "1 Beach Road\nPanaji",
              "lat": 15.49, "lon": 73.82},
    "screens": [
        {
            "name": "Audi 1",
            "ideal": [0, 2.5],
            "tiers": [
                {"key": "std", "name": "Standard", "price_minor": 15000,
                 "currency": "INR"},
                {"key": "gold", "name": "Gold", "price_minor": 25000,
                 "currency": "INR"},
            ],
            "rows": [
                {"labels": {"from": "A", "to": "C", "skip": ["B"]}, "y": 0,
                 "dy": 1, "tier": "std", "pitch": 1.1, "aisle_ends": True,
                 "seats": [{"from": 1, "to": 3}, {"aisle": 1}, 4, 5,
                           {"gap": 0.5}, {"from": 6, "to": 7}]},
                {"label": "D", "y": 3, "x": -4, "tier": "gold",
                 "seats": [{"number": 1, "flags": ["wheelchair"]},
                           {"number": 2, "flags": ["companion"],
                            "width": 2},
                           {"number": 3, "x": 6, "y": 3.5, "tier": "std"},
                           {"from": 4, "to": 5, "tier": "gold",
                            "flags": ["aisle"]}]},
                {"labels": ["E", "F"], "y": 4, "dy": 1, "tier": "gold",
                 "seats": [{"from": 1, "to": 4}]},
            ],
        },
        {
            "name": "Arena",
            "tiers": [{"key": "lower", "name": "Lower", "price_minor": 90000,
                       "currency": "INR"}],
            "blocks": [
                {"name": "N1", "tier": "lower", "rows": 3,
                 "seats": {"from": 1, "to": 6}, "origin": [0, 20],
                 "angle": 10, "pitch": 0.5, "row_pitch": 0.8,
                 "wheelchair": [[1, 1]], "companion": [[1, 2]],
                 "blocked": [[3, 6]], "aisle_ends": False},
                {"name": "N2", "tier": "lower", "rows": {"from": 1, "to": 2},
                 "seats": 5, "origin": [10, 20]},
            ],
        },
    ],
}

# Keys that may be left out (the rest are required where they appear).
OPTIONAL = {"comment", "address", "ideal", "key", "y", "dy", "x", "pitch",
            "aisle_ends", "tier", "flags", "width", "skip", "origin",
            "angle", "row_pitch", "wheelchair", "companion", "blocked"}
# Numbers that are never negative.
NON_NEGATIVE = {"price_minor", "pitch", "row_pitch", "width", "gap", "aisle",
                "from", "to", "number", "rows", "seats"}
# Numbers with an upper bound (a huge value is refused).
BOUNDED = {"lat", "lon", "x", "y", "dy", "pitch", "row_pitch", "width", "gap",
           "aisle", "angle", "utc_offset_min", "number", "from", "to",
           "rows", "seats"}
# Identifiers: a copy of the sibling's value is a duplicate.
IDENT = {"name", "key", "label"}

BAD_TEXT = "Bad\u0001name"


def key_of(path):
    """The innermost object key on @path (None inside a list of values)."""
    for seg in reversed(path):
        if isinstance(seg, str):
            return seg
    return None


def leaf_key(path):
    return path[-1] if path and isinstance(path[-1], str) else None


def fmt(path):
    out = ""
    for seg in path:
        out += ("." + seg if out else seg) if isinstance(seg, str) \
            else "[%d]" % seg
    return out or "(top level)"


def get(doc, path):
    for seg in path:
        doc = doc[seg]
    return doc


def walk(doc, path=()):
    yield path, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from walk(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from walk(v, path + (i,))


def in_seats_list(path):
    """A value of a seats array (a number or an item object) or inside it."""
    return any(isinstance(path[i], int) and path[i - 1] == "seats"
               for i in range(1, len(path)))


def mutations(doc):
    """(path, kind, new document or None, must_fail)."""
    for path, v in walk(doc):
        if not path or "comment" in path:
            continue
        k = key_of(path)
        parent = get(doc, path[:-1])
        spoil = []
        if isinstance(v, bool):
            spoil.append(("wrong type", "yes", True))
        elif isinstance(v, str):
            # A label to skip that is no label skips nothing: valid.
            named = "skip" not in path
            spoil.append(("control char", v[:1] + "\u0001" + v[1:], named))
            spoil.append(("wrong type", 12345, True))
            spoil.append(("huge", "x" * 5000, named))
        elif isinstance(v, (int, float)):
            neg = -v if v > 0 else -1
            spoil.append(("wrong type", "12", True))
            nonneg = (k in NON_NEGATIVE or (k == "seats" and
                      isinstance(path[-1], int)))
            if k not in ("origin", "ideal", "wheelchair", "companion",
                         "blocked"):
                spoil.append(("negative", neg, nonneg))
                spoil.append(("huge", 1e300 if isinstance(v, float)
                              else 2 ** 53, k in BOUNDED))
        else:
            spoil.append(("wrong type", "x", True))
        # A duplicate of the sibling's identifier (list members only).
        if isinstance(v, str) and leaf_key(path) in IDENT and \
                len(path) >= 3 and isinstance(path[-2], int) and \
                path[-2] > 0:
            sib = get(doc, path[:-2])[path[-2] - 1]
            if isinstance(sib, dict) and isinstance(sib.get(path[-1]), str):
                spoil.append(("duplicate", sib[path[-1]], True))
        if isinstance(v, int) and not isinstance(v, bool) and \
                isinstance(path[-1], int) and path[-2] == "seats" and \
                path[-1] > 0 and isinstance(parent[path[-1] - 1], int):
            spoil.append(("duplicate", parent[path[-1] - 1], True))
        for kind, new, must in spoil:
            d = copy.deepcopy(doc)
            get(d, path[:-1])[path[-1]] = new
            yield path, kind, d, must
        if isinstance(path[-1], str):
            d = copy.deepcopy(doc)
            del get(d, path[:-1])[path[-1]]
            yield path, "missing", d, path[-1] not in OPTIONAL


# Spoilings only the store can refuse (found while the batch writes, after
# the places, the venue and the first screen went in), and rules between
# fields: (path named, kind, {path: value}).
EXTRA = [
    (("venue", "name"), "taken in the city",
     {("venue", "name"): "Already Here"}),
    (("screens", 0, "tiers", 1, "currency"), "another currency",
     {("screens", 0, "tiers", 1, "currency"): "USD"}),
    (("screens", 0, "tiers", 1, "name"), "a name taken in the screen",
     {("screens", 0, "tiers", 1, "name"): "Standard"}),
    (("screens", 1, "name"), "a name taken in the venue",
     {("screens", 1, "name"): "Audi 1"}),
    (("screens", 0, "rows", 2), "onto row D",
     {("screens", 0, "rows", 2, "y"): 3, ("screens", 0, "rows", 2, "x"): -4}),
    (("screens", 0, "rows", 1, "seats", 2), "onto seat D-1",
     {("screens", 0, "rows", 1, "seats", 2, "x"): -4,
      ("screens", 0, "rows", 1, "seats", 2, "y"): 3}),
    (("screens", 1, "blocks", 1), "onto block N1",
     {("screens", 1, "blocks", 1, "origin"): [0, 20],
      ("screens", 1, "blocks", 1, "angle"): 10,
      ("screens", 1, "blocks", 1, "seats"): {"from": 1, "to": 6}}),
]


def extra_mutations(doc):
    for path, kind, changes in EXTRA:
        d = copy.deepcopy(doc)
        for p, value in changes.items():
            get(d, p[:-1])[p[-1]] = value
        yield path, kind, d, True


def run(*args, stdin=None):
    p = subprocess.run([TIX, "--json", *args], capture_output=True,
                       text=True, env=ENV)
    # A result goes to stdout, an error to stderr (both JSON).
    text = p.stdout if p.returncode == 0 else p.stderr
    try:
        out = json.loads(text) if text.strip() else {}
    except ValueError:
        out = {"raw": text}
    return p.returncode, out, p.stderr


def digest(store):
    rc, stats, err = run("stats")
    assert rc == 0, (rc, stats, err)
    rc, chk, err = run("check")
    assert rc == 0, (rc, chk, err)
    files = []
    for name in sorted(os.listdir(store)):
        p = os.path.join(store, name)
        if name != "lock.mdb" and os.path.isfile(p):
            files.append((name, os.path.getsize(p)))
    with open(os.path.join(store, "data.mdb"), "rb") as f:
        data = hashlib.sha256(f.read()).hexdigest()
    return {"last_txn": stats["lmdb"]["last_txn"], "check": chk["checked"],
            "problems": chk["problems"], "files": files, "data.mdb": data}


def related(err_field, path, spoiled_key, kind):
    """Whether an error at @err_field names the field at @path."""
    p = fmt(path)
    if err_field == p or err_field.startswith(p + ".") or \
            err_field.startswith(p + "["):
        return True
    # A missing key: the object that lacks it (rows or blocks: either).
    if kind == "missing" and err_field == fmt(path[:-1]):
        return True
    # A value inside a seats item, or an item of a list of values (labels,
    # flags, origin, [row, seat] pairs): reported at its item or list.
    for cut in range(len(path) - 1, 0, -1):
        head = fmt(path[:cut])
        if err_field == head and (isinstance(path[cut], int) or
                                  in_seats_list(path[:cut + 1])):
            return True
    # A position that moves seats onto others: reported at a seat of the
    # same row or block.
    if spoiled_key in ("x", "y", "dy", "pitch", "width", "gap", "aisle",
                       "origin", "angle", "row_pitch", "from", "to",
                       "number", "seats", "rows", "label", "labels", "name",
                       "skip", "aisle_ends", "flags", "tier"):
        for cut in range(len(path) - 1, 0, -1):
            if path[cut - 1] in ("rows", "blocks") and \
                    isinstance(path[cut], int):
                head = fmt(path[:cut + 1])
                if err_field.startswith(head + ".") or err_field == head:
                    return True
                # a duplicate label/number is found at the later row
                screen = fmt(path[:cut - 1])
                if spoiled_key in ("label", "labels", "from", "to", "skip",
                                   "name", "number", "seats", "rows") and \
                        err_field.startswith(screen + "." + path[cut - 1]):
                    return True
    # A tier key: the rows that name it report it.
    if spoiled_key == "key":
        screen = fmt(path[:2])
        if err_field.startswith(screen) and err_field.endswith(".tier"):
            return True
    return False


def main():
    t0 = time.time()
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    store = os.path.join(WORK, "store")
    pristine = os.path.join(WORK, "pristine")
    global ENV
    ENV = dict(os.environ, TIX_STORE=store)
    rc, out, err = run("init")
    assert rc == 0, (rc, out, err)
    # A store with a venue in it already (the same city: places are found).
    other = copy.deepcopy(BASE)
    other["venue"]["name"] = "Already Here"
    for s in other["screens"]:
        s["name"] += " old"
    layout = os.path.join(WORK, "layout.json")
    with open(layout, "w") as f:
        json.dump(other, f)
    rc, out, err = run("import", layout)
    assert rc == 0, ("the base layout must import", rc, out, err)
    shutil.copytree(store, pristine)

    # The base layout itself is valid (dry run) and imports.
    with open(layout, "w") as f:
        json.dump(BASE, f, indent=1)
    rc, out, err = run("import", "--dry-run", layout)
    assert rc == 0, ("the fuzz base must be valid", rc, out, err)

    cases = list(mutations(BASE)) + list(extra_mutations(BASE))
    before = digest(store)
    failures, n_failed, n_ok, exact = [], 0, 0, 0
    for path, kind, doc, must_fail in cases:
        with open(layout, "w") as f:
            json.dump(doc, f, indent=1)
        rc, out, err = run("import", layout)
        what = "%s %s" % (fmt(path), kind)
        if rc == 0:
            n_ok += 1
            if must_fail:
                failures.append("%s: imported, must fail" % what)
            shutil.rmtree(store)
            shutil.copytree(pristine, store)
            before = digest(store)
            continue
        n_failed += 1
        after = digest(store)
        if after != before:
            failures.append("%s: exit %d changed the store: %s -> %s"
                            % (what, rc, before, after))
            shutil.rmtree(store)
            shutil.copytree(pristine, store)
            before = digest(store)
        errors = out.get("error", {}).get("errors", [])
        fields = [e.get("field", "") for e in errors]
        if not fields:
            failures.append("%s: exit %d without a field: %s" % (what, rc, out))
        elif not any(related(f, path, key_of(path), kind) for f in fields):
            failures.append("%s: exit %d names %s" % (what, rc, fields))
        elif fmt(path) in fields:
            exact += 1
    took = time.time() - t0
    print("%d cases: %d refused (%d at exactly the spoiled field), %d valid; "
          "%.1f s" % (len(cases), n_failed, exact, n_ok, took))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


ENV = None
if __name__ == "__main__":
    sys.exit(main())
