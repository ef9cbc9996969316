#!/usr/bin/env bash
# The include half of the layer rule (the link half stops the configure:
# cmake/layers.cmake). Checks the tree, then that the checker does catch an
# include pointing up (engine including cli) in a scratch tree.
set -euo pipefail
src="$1"
python3 "$src/cmake/check_includes.py" "$src"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/cmake" "$scratch/engine" "$scratch/cli"
cp "$src/cmake/layers.txt" "$scratch/cmake/"
printf '#include "cli/text_table.h"\n' > "$scratch/engine/bad.h"
if python3 "$src/cmake/check_includes.py" "$scratch" > "$scratch/out.txt"; then
  echo "FAIL: an engine header including cli/ was not caught"; exit 1
fi
grep -q 'engine/bad.h:1: includes "cli/text_table.h"' "$scratch/out.txt" || {
  echo "FAIL: the violation was not named:"; cat "$scratch/out.txt"; exit 1; }
echo "layers_test: the tree keeps the layers; an upward include is caught"
