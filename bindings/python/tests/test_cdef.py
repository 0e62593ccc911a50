"""The cdef in tix/_ffi.py must follow include/tix.h.

ABI mode trusts the cdef blindly, so drift is checked three ways: function
names and prototypes (text, normalised), integer constants, and -- with a
C compiler -- every struct's size and field offsets and every enum value
as the C compiler sees them.
"""
import os
import re
import shutil
import subprocess

import pytest

import tix
from tix._ffi import CDEF, ffi, lib

from conftest import REPO

HEADER = os.path.join(REPO, "include", "tix.h")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def normalise(proto):
    p = re.sub(r"\s+", " ", proto).strip()
    p = re.sub(r"\s*([*(),\[\]])\s*", r"\1", p)
    return p


def func_name(proto):
    return re.search(r"(\w+)\s*\($", proto.split("(")[0] + "(").group(1)


def _expand(proto, defines):
    """Array sizes as numbers: [TIX_X + 1] -> [n]."""
    def size(m):
        expr = re.sub(r"\bTIX_\w+\b", lambda n: str(defines[n.group(0)]),
                      m.group(1))
        if re.fullmatch(r"[\d\s+*-]+", expr):
            expr = str(eval(expr))  # digits and + - * only
        return "[%s]" % expr
    return re.sub(r"\[([^\]]*)\]", size, proto)


def header_prototypes():
    text = strip_comments(open(HEADER, encoding="utf-8").read())
    defines = header_defines()
    out = {}
    for m in re.finditer(r"\bTIX_API\s+([^;{}#]+?\))\s*;", text):
        proto = normalise(_expand(m.group(1), defines))
        out[func_name(proto)] = proto
    return out


def cdef_prototypes():
    text = strip_comments(CDEF)
    # drop typedef/struct/enum blocks and #defines, keep declarations
    text = re.sub(r"typedef[^;]*?\{.*?\}\s*\w+\s*;", " ", text, flags=re.S)
    text = re.sub(r"typedef[^;]*;", " ", text)
    text = re.sub(r"#define[^\n]*", " ", text)
    out = {}
    for decl in text.split(";"):
        if "(" in decl:
            proto = normalise(decl)
            out[func_name(proto)] = proto
    return out


def header_defines():
    text = strip_comments(open(HEADER, encoding="utf-8").read())
    out = {}
    for m in re.finditer(r"^\s*#\s*define\s+(TIX_\w+)[ \t]+([^\n]+)$", text,
                         flags=re.M):
        name, value = m.group(1), m.group(2).strip()
        if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)[uUlL]*", value):
            out[name] = int(value.rstrip("uUlL"), 0)
        elif re.fullmatch(r"-?\d+\.\d*([eE][-+]?\d+)?", value):
            out[name] = float(value)
    return out


def test_header_declares_functions():
    assert len(header_prototypes()) > 80


def test_function_names_match_header():
    h, c = set(header_prototypes()), set(cdef_prototypes())
    assert not (h - c), "in tix.h but not in the cdef: %s" % sorted(h - c)
    assert not (c - h), "in the cdef but not in tix.h: %s" % sorted(c - h)


def test_prototypes_match_header():
    h, c = header_prototypes(), cdef_prototypes()
    diff = {n: (h[n], c[n]) for n in h if n in c and h[n] != c[n]}
    assert not diff, "prototypes differ (header, cdef): %s" % diff


def test_integer_and_float_constants_match_header():
    from tix import discover
    for name, value in header_defines().items():
        if isinstance(value, float):
            assert getattr(discover, name[len("TIX_"):]) == value, name
        else:
            assert getattr(lib, name) == value, name


def test_every_error_code_has_its_own_class():
    codes = {v for k, v in header_defines().items()
             if re.fullmatch(r"TIX_E[A-Z0-9]+", k)}
    assert codes == set(tix.errors.BY_CODE)
    classes = list(tix.errors.BY_CODE.values())
    assert len(set(classes)) == len(classes)
    for code, cls in tix.errors.BY_CODE.items():
        assert issubclass(cls, tix.Error)
        assert cls.code == code


def test_library_exports_what_the_cdef_declares():
    """The loaded libtix implements every function tix.h declares (a build
    of this tree; the feature tests also skip on a library without them)."""
    missing = [n for n in cdef_prototypes() if not tix._ffi.has(n)]
    assert not missing, "libtix at %s lacks %s" % (tix.LIB_PATH, missing)


# ---- layout, checked by the C compiler ------------------------------------

def _struct_types():
    typedefs, _structs, _unions = ffi.list_types()
    out = []
    for name in sorted(typedefs):
        t = ffi.typeof(name)
        if t.kind == "struct" and t.fields is not None:
            out.append((name, [f for f, _ in t.fields]))
    return out


def _enums():
    out = []
    typedefs, _s, _u = ffi.list_types()
    for name in sorted(typedefs):
        t = ffi.typeof(name)
        if t.kind == "enum":
            out.extend(t.relements.items())
    return out


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")),
                    reason="no C compiler")
def test_struct_layout_and_enums_match_compiler(tmp_path):
    structs = _struct_types()
    enums = _enums()
    assert len(structs) > 20
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "tix.h"',
             "int main(void) {"]
    expect = []
    for name, fields in structs:
        lines.append('printf("%%zu\\n", sizeof(%s));' % name)
        expect.append(("sizeof(%s)" % name, ffi.sizeof(name)))
        for f in fields:
            lines.append('printf("%%zu\\n", offsetof(%s, %s));' % (name, f))
            expect.append(("offsetof(%s, %s)" % (name, f), ffi.offsetof(name, f)))
    for ename, value in enums:
        lines.append('printf("%%lld\\n", (long long)%s);' % ename)
        expect.append((ename, value))
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    cc = shutil.which("cc") or shutil.which("gcc")
    r = subprocess.run([cc, "-std=c11", "-I", os.path.join(REPO, "include"),
                        str(src), "-o", str(exe)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, "tix.h does not compile:\n" + r.stderr[-3000:]
    got = subprocess.run([str(exe)], capture_output=True, text=True,
                         timeout=30).stdout.split()
    assert len(got) == len(expect)
    bad = [(what, cffi_v, int(c_v)) for (what, cffi_v), c_v in zip(expect, got)
           if int(c_v) != cffi_v]
    assert not bad, "cffi vs C (what, cffi, C): %s" % bad
