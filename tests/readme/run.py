#!/usr/bin/python3
"""Runs README.md's code blocks as a reader would, against a build.

    tests/readme/run.py <source-dir> <build-dir> [work-dir]

In a fresh work directory (examples/, bindings/ and build/ linked in from
the source tree, the build's `tix` first on PATH), in document order:

  ```sh      run with bash -euo pipefail (a timeout each);
  ```c       compiled with the build's include/ and libtix.so and run; when
             the text after it says "Run it twice", run again, and that
             run must fail the way the text quotes ("...") on stderr;
  ```python  run with /usr/bin/python3, the binding on PYTHONPATH and
             TIX_LIB set to the build's libtix.so.

A block after <!-- readme-test: server --> is a server: started in the
background, waited for ("listening on"), left running for the blocks that
follow and stopped before the next server or at the end. A block after
<!-- readme-test: skip (why) --> is not run; the reason is printed. Every
other block must be ```text or ```cmake, so no new snippet escapes the
test. Port 8080 in a block is replaced by a free loopback port; nothing
else is changed. A heading "In N lines of C" must head a C block of N
lines. The "make demo" the first C block relies on is done by running the
build's tix-demo and importing the multiplex layout, as the Makefile does.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

STEP_TIMEOUT = 120
FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```[ \t]*$",
                   re.M | re.S)
MARK = re.compile(r"<!--\s*readme-test:\s*(skip|server)\b([^>]*)-->\s*\Z")
RUNNABLE = {"sh", "c", "python"}
INERT = {"text", "cmake"}


def blocks(readme):
    """[(line, lang, code, mark, why, text after it up to the next
    heading)] in document order."""
    out, last = [], 0
    for m in FENCE.finditer(readme):
        before = readme[last:m.start()]
        mark = MARK.search(before.rstrip())
        nxt = re.search(r"^#", readme[m.end():], re.M)
        after = readme[m.end():m.end() + nxt.start() if nxt else None]
        out.append((readme.count("\n", 0, m.start()) + 1, m.group(1),
                    m.group(2), mark.group(1) if mark else None,
                    mark.group(2).strip() if mark else "", after))
        last = m.end()
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Runner:
    def __init__(self, src, build, work):
        self.src, self.build, self.work = src, build, work
        self.port = str(free_port())
        self.server = None
        self.c_count = 0
        self.env = dict(os.environ)
        self.env["PATH"] = os.path.join(build, "cli") + os.pathsep + \
            self.env.get("PATH", "")
        self.env["TIX_LIB"] = os.path.join(build, "libtix.so")
        self.env["PYTHONPATH"] = os.path.join(work, "bindings", "python")
        self.env["PYTHONUNBUFFERED"] = "1"
        self.env.pop("TIX_STORE", None)

    def fail(self, line, what, proc=None):
        msg = "README.md:%d: %s" % (line, what)
        if proc is not None:
            msg += "\n--- stdout\n%s\n--- stderr\n%s" % (proc.stdout,
                                                       proc.stderr)
        raise SystemExit("readme: FAIL: " + msg)

    def run(self, line, argv, stdin=None):
        try:
            p = subprocess.run(argv, cwd=self.work, env=self.env, text=True,
                               input=stdin, capture_output=True,
                               timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail(line, "%s timed out after %d s" % (argv[0],
                                                        STEP_TIMEOUT))
        if p.returncode != 0:
            self.fail(line, "%s exited %d" % (" ".join(argv[:2]),
                                              p.returncode), p)
        return p

    def setup(self):
        for d in ("examples", "bindings"):
            os.symlink(os.path.join(self.src, d), os.path.join(self.work, d))
        # ./build/debug is where the README's blocks look for the build
        os.makedirs(os.path.join(self.work, "build"))
        os.symlink(self.build, os.path.join(self.work, "build", "debug"))
        # `make demo`, as the Makefile does it
        self.run(0, [os.path.join(self.build, "examples", "tix-demo"),
                     "demo-store"])
        self.run(0, [os.path.join(self.build, "cli", "tix"), "-s",
                     "demo-store", "import", "examples/data/multiplex.json"])

    def sh(self, line, code):
        p = self.run(line, ["bash", "-euo", "pipefail", "-c", code])
        print(p.stdout.rstrip()[-2000:])

    def c(self, line, code, after):
        self.c_count += 1
        name = os.path.join(self.work, "readme%d.c" % self.c_count)
        with open(name, "w") as f:
            f.write(code)
        exe = name[:-2]
        self.run(line, [os.environ.get("CC", "cc"), "-std=c11", "-Wall",
                        "-Wextra", "-Werror", "-I",
                        os.path.join(self.src, "include"), name, "-o", exe,
                        "-L", self.build, "-ltix",
                        "-Wl,-rpath," + self.build])
        print(self.run(line, [exe]).stdout.rstrip())
        if "Run it twice" not in after:
            return
        said = re.search(r'\("([^"]+)"\)', after)
        p = subprocess.run([exe], cwd=self.work, env=self.env, text=True,
                           capture_output=True, timeout=STEP_TIMEOUT)
        if p.returncode == 0 or not said or \
                " ".join(said.group(1).split()) not in p.stderr:
            self.fail(line, "the second run does not fail as the text "
                      "says (%s)" % (said.group(1) if said else "no quote"),
                      p)
        print("second run: " + p.stderr.strip())

    def python(self, line, code):
        p = self.run(line, ["/usr/bin/python3", "-c", code])
        print(p.stdout.rstrip())

    def start_server(self, line, code):
        self.stop_server()
        self.server = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", "exec " + code.strip()],
            cwd=self.work, env=self.env, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        got = []
        t = threading.Thread(target=lambda: got.append(
            self.server.stdout.readline()), daemon=True)
        t.start()
        t.join(60)
        if not got or "listening on http://127.0.0.1:%s" % self.port \
                not in got[0]:
            self.stop_server()
            self.fail(line, "server did not start: %r" % (got[:1],))
        print(got[0].rstrip())
        # It must answer, even when no block follows it.
        self.run(line, ["curl", "-sf", "-o", "/dev/null",
                        "http://127.0.0.1:%s/venues" % self.port])

    def stop_server(self):
        if self.server is None:
            return
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(15)
        err = self.server.stderr.read()
        rc, self.server = self.server.returncode, None
        if rc != 0:
            raise SystemExit("readme: FAIL: server exited %d\n%s" % (rc, err))

    def check_line_claims(self):
        for m in re.finditer(r"^#+ In (\d+) lines of C\s*$", self.readme,
                             re.M):
            fence = FENCE.search(self.readme, m.end())
            n = fence.group(2).count("\n")
            if fence.group(1) != "c" or n != int(m.group(1)):
                raise SystemExit("readme: FAIL: %r heads a block of %d "
                                 "lines" % (m.group(0), n))

    def main(self, readme):
        self.readme = readme
        self.check_line_claims()
        self.setup()
        ran = 0
        try:
            for line, lang, code, mark, why, after in blocks(readme):
                if mark == "skip":
                    print("== README.md:%d: skipped %s" % (line, why))
                    continue
                if lang in INERT:
                    continue
                if lang not in RUNNABLE:
                    self.fail(line, "a ```%s block: give it sh, c, python, "
                              "text or cmake (and a readme-test mark if it "
                              "must not run)" % lang)
                code = code.replace("8080", self.port)
                print("== README.md:%d: %s%s" % (line, lang,
                                                 " (server)" if mark else ""))
                if mark == "server":
                    self.start_server(line, code)
                else:
                    if lang == "c":
                        self.c(line, code, after)
                    else:
                        getattr(self, lang)(line, code)
                ran += 1
        finally:
            self.stop_server()
        if ran == 0:
            raise SystemExit("readme: FAIL: no block ran")
        print("readme: %d blocks ran" % ran)


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    src, build = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    if len(argv) == 4:
        work = os.path.abspath(argv[3])
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    else:
        work = tempfile.mkdtemp(prefix="tix-readme-")
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    Runner(src, build, work).main(readme)
    return 0


if __name__ == "__main__":
    t0 = time.monotonic()
    rc = main(sys.argv)
    print("readme: %.1f s" % (time.monotonic() - t0))
    sys.exit(rc)
