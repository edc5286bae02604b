#!/usr/bin/env python3
"""svg_text_bounds.py [--max-width W] [--max-height H] FILE.svg...

Check charts gnuplot wrote: the canvas is at most W x H px, and every text
lies inside it. gnuplot's SVG places each text with
<g transform="translate(x,y) [rotate(a)]" font-size="s" text-anchor="...">;
its extent is estimated from its length at 0.62 em a character (DejaVu Sans
and Liberation Sans average 0.55; digits and capitals are wider), so an
estimate errs on the side of finding a clipped text. The browser's own
measure is scripts/check-report.py's (headless Chromium, every chart of a
report). Prints each offender and exits 1 when there is one.
"""
import argparse
import html
import re
import sys

CHAR_EM = 0.62
GROUP = re.compile(r'<g transform="translate\(([-\d.]+),([-\d.]+)\)(?: rotate\(([-\d.]+)\))?"([^>]*)>(.*?)</g>', re.S)
TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)
TAG = re.compile(r"<[^>]+>")


def canvas(svg):
    m = re.search(r'<svg[^>]*?width="(\d+)"[^>]*?height="(\d+)"', svg, re.S)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def texts(svg):
    """(x0, y0, x1, y1, text) of every text, estimated."""
    for g in GROUP.finditer(svg):
        x, y, rot, attrs, body = float(g.group(1)), float(g.group(2)), g.group(3), g.group(4), g.group(5)
        size = re.search(r'font-size="([\d.]+)"', attrs)
        size = float(size.group(1)) if size else 12.0
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        anchor = anchor.group(1) if anchor else "start"
        for t in TEXT.finditer(body):
            text = html.unescape(TAG.sub("", t.group(1)))
            if not text.strip():
                continue
            length = len(text) * size * CHAR_EM
            a = {"start": 0.0, "middle": 0.5, "end": 1.0}.get(anchor, 0.0)
            lo, hi = -a * length, (1 - a) * length
            if rot and abs(float(rot) % 180 - 90) < 1:  # vertical: the length runs along y
                yield (x - size * 0.8, y - hi, x + size * 0.3, y - lo, text)
            else:
                yield (x + lo, y - size * 0.8, x + hi, y + size * 0.3, text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-width", type=int, default=1200)
    ap.add_argument("--max-height", type=int, default=2400)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    bad = 0
    for path in a.files:
        with open(path, encoding="utf-8") as f:
            svg = f.read()
        w, h = canvas(svg)
        if w is None:
            print(f"{path}: no width/height on <svg>")
            bad += 1
            continue
        if w > a.max_width or h > a.max_height:
            print(f"{path}: canvas {w}x{h} over {a.max_width}x{a.max_height}")
            bad += 1
        n = 0
        for x0, y0, x1, y1, text in texts(svg):
            n += 1
            if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
                print(f"{path}: text outside the {w}x{h} canvas at [{x0:.0f},{y0:.0f} .. {x1:.0f},{y1:.0f}]: {text!r}")
                bad += 1
        if n == 0:
            print(f"{path}: no text found (not a gnuplot SVG?)")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
