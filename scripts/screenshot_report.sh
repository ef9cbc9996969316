#!/usr/bin/env bash
# Renders an HTML report to PNG in headless Chromium (Debian's `chromium`)
# and checks the picture is not blank: at least 2% of its pixels differ
# from the background and it holds several distinct colours (text, bars,
# charts). Usage: scripts/screenshot_report.sh REPORT.html OUT.png [WIDTH HEIGHT]
# Exit 0 when the page rendered, 1 when blank, 2 on bad usage or no chromium.
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 REPORT.html OUT.png [WIDTH HEIGHT]" >&2
  exit 2
fi
html="$(realpath "$1")"
png="$2"
width="${3:-1300}"
height="${4:-3000}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
  echo "screenshot_report: chromium not found (apt-get install chromium)" >&2
  exit 2
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: CI containers run as root. No network is needed: the report is
# self-contained, and the page gets a fresh profile.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --window-size="$width,$height" \
  --screenshot="$(realpath -m "$png")" "file://$html" >/dev/null 2>&1 || true
if [[ ! -s "$png" ]]; then
  echo "screenshot_report: chromium wrote no screenshot for $html" >&2
  exit 1
fi
python3 - "$png" <<'PY'
import struct, sys, zlib

def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG type"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, rows, prev = w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

w, h, bpp, rows = read_png(sys.argv[1])
bg = rows[0][:3]
differ, colours = 0, set()
for y in range(0, h, 2):
    r = rows[y]
    for x in range(0, w, 2):
        px = r[x * bpp:x * bpp + 3]
        if px != bg:
            differ += 1
        colours.add(bytes(px))
share = differ / ((h // 2) * (w // 2))
print(f"screenshot_report: {sys.argv[1]}: {w}x{h}, {share:.1%} non-background, {len(colours)} colours")
sys.exit(0 if share >= 0.02 and len(colours) >= 8 else 1)
PY
