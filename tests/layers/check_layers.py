#!/usr/bin/python3
"""The `layers` test: reads every object of lib/ with nm and fails when a
file calls (or reads a variable of) a file of a higher layer, or when two
files depend on each other through any chain (a cycle).

    check_layers.py BUILD_DIR LAYER...      (LAYER... bottom up)

The include directories already stop a lower layer from including a higher
layer's header (CMakeLists.txt); this catches what a prototype written by
hand, or an extern, would let through.
"""
import collections
import glob
import os
import subprocess
import sys


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
    n_edges = sum(len(v) for v in edges.values())
    if problems:
        for p in problems:
            print("layers: " + p)
        print("layers: %d problem(s) in %d files, %d dependencies"
              % (len(problems), len(files), n_edges))
        return 1
    print("layers: %d files in %d layers, %d dependencies, all downward, "
          "no cycle" % (len(files), len(layers), n_edges))
    return 0


if __name__ == "__main__":
    sys.exit(main())
