#!/usr/bin/env python3
"""check-includes.py - fails when a src/ folder includes a folder above it, or headers include in a cycle.

The layers, lowest first, are the map of docs/ARCHITECTURE.md: a folder may include its own
headers, those of any lower layer, and those of folders nested below it (src/runtime/bpf is
below src/runtime); never a higher layer or its parent. A folder that is not in LAYERS is an
error, so a new folder has to be placed on the map before it can build on anything.
Usage: python3 scripts/check-includes.py [SRC_DIR]   (exit 0 clean, 1 violations)
"""
import os
import re
import sys

# Lowest first. registry, store, runtime, agent and server are where the next issues build (docs/ARCHITECTURE.md).
LAYERS = ["core", "net", "engine", "registry", "sbom", "version", "pkg", "image", "vuln", "check", "policy",
          "report", "scan", "store", "runtime", "agent", "server", "cli"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(rel):
    """'runtime/bpf/x.c' -> 'runtime/bpf'"""
    return os.path.dirname(rel)


def allowed(src_folder, dst_folder):
    if src_folder == dst_folder or dst_folder.startswith(src_folder + "/"):
        return True  # own folder, or one nested below it
    if src_folder.startswith(dst_folder + "/"):
        return False  # a nested folder reaching up into its parent
    top_s, top_d = src_folder.split("/")[0], dst_folder.split("/")[0]
    if top_s == top_d:
        return False  # sibling sub-folders of one area do not include each other
    return RANK[top_d] < RANK[top_s]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
    src = os.path.normpath(src)
    errors, graph, files = [], {}, 0
    for dirpath, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            files += 1
            top = rel.split(os.sep)[0]
            if top not in RANK:
                errors.append(f"{rel}: folder '{top}' is not on the layer map (scripts/check-includes.py LAYERS)")
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            deps = []
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                if "/" not in inc:
                    if name.endswith(".bpf.c") or inc.endswith(".skel.h"):
                        continue  # generated eBPF skeletons sit beside their loader
                    errors.append(f"{rel}:{line}: #include \"{inc}\" must name its folder (\"area/{inc}\")")
                    continue
                if inc.startswith("../") or "/../" in inc:
                    errors.append(f"{rel}:{line}: #include \"{inc}\" climbs with '..'")
                    continue
                dst = folder_of(inc)
                if dst.split("/")[0] not in RANK:
                    errors.append(f"{rel}:{line}: #include \"{inc}\": no folder src/{dst}")
                    continue
                if not os.path.exists(os.path.join(src, inc)):
                    errors.append(f"{rel}:{line}: #include \"{inc}\": no such file under src/")
                    continue
                if not allowed(folder_of(rel), dst):
                    errors.append(f"{rel}:{line}: {folder_of(rel)}/ includes \"{inc}\" from {dst}/, "
                                  f"which is not below it")
                deps.append(inc)
            graph[rel] = deps
    # Cycles between files (a header including one that includes it back, however far round).
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                errors.append("include cycle: " + " -> ".join(cycle))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    sys.setrecursionlimit(10000)
    for node in sorted(graph):
        if node not in state:
            visit(node)
    for e in errors:
        print("check-includes: " + e)
    print(f"check-includes: {files} files, {sum(len(d) for d in graph.values())} project includes, "
          f"{len(errors)} violations")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
