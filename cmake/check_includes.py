#!/usr/bin/env python3
"""Checks that every #include of the project's code points down the layers.

Reads the layer table from cmake/layers.txt (the same one cmake/layers.cmake
checks the links with). For every .h/.cc/.cpp file in a layer folder, an
include "X/..." whose X is another layer folder must name a lower layer.
tests/ and bench/ sit above everything and are not checked. Prints one line
per violation (file:line, the include, both layers) and exits 1 if any.

Usage: check_includes.py [SOURCE_DIR]
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_layers(root):
    layers = {}
    with open(os.path.join(root, "cmake", "layers.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit() and not line.startswith("#"):
                layers[parts[0]] = int(parts[1])
    return layers


def folder_of(path, layers):
    """The layer folder holding `path` (relative, '/'-separated), or None."""
    best = None
    for folder in layers:
        if path == folder or path.startswith(folder + "/"):
            if best is None or len(folder) > len(best):
                best = folder
    return best


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    layers = read_layers(root)
    violations = []
    checked = 0
    for folder in layers:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if not name.endswith((".h", ".cc", ".cpp")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                here = folder_of(path, layers)
                checked += 1
                with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        there = folder_of(m.group(1), layers)
                        if there is None or there == here:
                            continue
                        if layers[there] >= layers[here]:
                            violations.append(
                                f'{path}:{lineno}: includes "{m.group(1)}": {there} '
                                f'(layer {layers[there]}) is not below {here} '
                                f'(layer {layers[here]})')
    for v in violations:
        print(v)
    print(f"layers: {checked} files checked, {len(violations)} includes pointing up or sideways")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
