#!/usr/bin/python3
"""The `layers` test: reads every object of lib/ with nm and fails when a
file calls (or reads a variable of) a file of a higher layer, or when two
files depend on each other through any chain (a cycle).

    check_layers.py BUILD_DIR LAYER...      (LAYER... bottom up)

The include directories already stop a lower layer from including a higher
layer's header (CMakeLists.txt); this catches what a prototype written by
hand, or an extern, would let through.

It also checks the house naming rule, SQLite's: the name tells you the
file. Every internal symbol a file defines is tix__<prefix> or
tix__<prefix>_..., where the prefix is the file's name or one of the few
aliases in PREFIXES (a module with several parts, like the codec's
encoder, decoder and bump allocator), and no two files share a prefix.
"""
import collections
import glob
import os
import subprocess
import sys


# Modules whose symbols carry another prefix than the file's name.
PREFIXES = {
    "base/codec": ["enc", "dec", "bump"],
    "base/error": ["err", "mdb_err"],
    "store/naming": ["name"],
    "schema/record": ["rec"],
    "schema/tables": ["schema"],
    "seats/commit": ["committer"],
    "store/files": ["files", "store"],
}


def prefixes(name):
    return PREFIXES.get(name, [name.split("/")[1]])


def naming(files):
    problems, owner = [], {}
    for name in sorted(files):
        for p in prefixes(name):
            if p in owner:
                problems.append("prefix tix__%s_ is both %s's and %s's"
                                % (p, owner[p], name))
            owner[p] = name
    for name, (_, defs, _) in sorted(files.items()):
        ps = prefixes(name)
        bad = sorted(d for d in defs if d.startswith("tix__") and not any(
            d == "tix__" + p or d.startswith("tix__" + p + "_") for p in ps))
        if bad:
            problems.append("%s defines %s: internal names start with "
                            "tix__%s_" % (name, ", ".join(bad[:4]), ps[0]))
    return problems


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defs, refs = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRVW":
            defs.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            refs.add(parts[1])
    return defs, refs


def load(build, layers):
    files = {}  # module -> (layer index, defs, refs)
    for i, layer in enumerate(layers):
        pattern = os.path.join(build, "CMakeFiles", "tix_%s.dir" % layer,
                               "**", "*.o")
        objs = glob.glob(pattern, recursive=True)
        if not objs:
            sys.exit("layers: no objects for layer %s under %s" % (layer, build))
        for o in objs:
            name = "%s/%s" % (layer, os.path.basename(o)[:-len(".c.o")])
            files[name] = (i,) + symbols(o)
    return files


def graph(files):
    owner = {}
    for name, (_, defs, _) in files.items():
        for d in defs:
            owner[d] = name
    edges = collections.defaultdict(dict)  # a -> {b: [symbols]}
    for name, (_, _, refs) in files.items():
        for r in refs:
            b = owner.get(r)
            if b and b != name:
                edges[name].setdefault(b, []).append(r)
    return edges


def cycles(nodes, edges):
    """Tarjan's strongly connected components of more than one file."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, layers = sys.argv[1], sys.argv[2:]
    files = load(build, layers)
    edges = graph(files)
    problems = []
    for a in sorted(edges):
        for b, syms in sorted(edges[a].items()):
            if files[b][0] > files[a][0]:
                problems.append("%s calls up into %s: %s"
                                % (a, b, ", ".join(sorted(syms)[:4])))
    for comp in cycles(files, edges):
        problems.append("cycle between files: " + " <-> ".join(comp))
    problems += naming(files)
    n_edges = sum(len(v) for v in edges.values())
    if problems:
        for p in problems:
            print("layers: " + p)
        print("layers: %d problem(s) in %d files, %d dependencies"
              % (len(problems), len(files), n_edges))
        return 1
    print("layers: %d files in %d layers, %d dependencies, all downward, "
          "no cycle, every internal name prefixed by its file"
          % (len(files), len(layers), n_edges))
    return 0


if __name__ == "__main__":
    sys.exit(main())
