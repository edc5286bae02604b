#!/usr/bin/env python3
"""check-report.py — `lockbench report` pages rendered in a real browser.

`make check-report` (part of `make test`) runs it; $LOCKBENCH is the binary
(default ./lockbench). For each page below it runs headless Chromium once, --dump-dom of a copy
of the page with a measuring script added at its end (the script is the
only thing the check adds; it is left out of the checks on the page):

  1. the DOM the browser built. Asserted there: the summary table's rows and cells (lock, threads,
     status, median ops/s as the JSON has it), the number of charts (a
     <figure class="chart"> holding an <svg> each), the verdict, and that
     nothing is fetched: no <script>, <link>, <img>, <iframe>, no src
     attribute, every href a link inside the page.
  2. what the script measured: every <text> of every chart, as the
     browser laid it out, lies inside its chart's canvas
     (getBoundingClientRect), and every chart's canvas is at most
     1100 x 2000 px.
and, for the first page, a --screenshot, which must come out a PNG of some size.

Pages: the plot fixtures (a result and a verdict), results of 1 lock, 21
locks and 1,024 threads (tests/fixtures/scale/gen.py), and a result whose
lock and host names are HTML (<script>, quotes, &).

A negative control breaks a copy of a good page three ways (a chart text moved
off its canvas, an image fetched from elsewhere, a summary cell that disagrees
with the result) and requires each to be caught.

Chromium (Debian `chromium`) is required: when it is missing and cannot be
installed this fails, it never skips.
"""
import html.parser
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCKBENCH = os.environ.get("LOCKBENCH", "./lockbench")
MAX_W, MAX_H = 1100, 2000
failures = []


quiet = False


def fail(msg):
    failures.append(msg)
    if not quiet:
        print(f"check-report: FAIL: {msg}", file=sys.stderr)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("check-report: no chromium on PATH (Debian: apt-get install chromium, or make deps); "
             "the report is checked in a real browser and cannot be skipped")


def browse(browser, url, extra):
    """Run headless Chromium once with a fresh profile; its stdout."""
    profile = tempfile.mkdtemp(prefix="lockbench-chromium.")
    try:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--user-data-dir=" + profile] + extra + [url]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            sys.exit(f"check-report: chromium exited {p.returncode}: {p.stderr[-2000:]}")
        return p.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Dom(html.parser.HTMLParser):
    """What the checks need of a dumped DOM: elements, attributes, table cells, figures."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []           # (tag, attrs) of every element
        self.tables = {}         # id -> rows of cell texts
        self.figures = []        # (id, number of <svg> in it)
        self.text_of = {}        # id -> text
        self._table = None
        self._row = None
        self._cell = None
        self._figure = None
        self._id_stack = []
        self._pre = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "figure" and "chart" in a.get("class", "").split():
            self._figure = [a.get("id"), 0]
        elif tag == "svg" and self._figure is not None:
            self._figure[1] += 1
        if a.get("id") in ("lb-check",) or (tag == "p" and a.get("id", "").endswith("-overall")):
            self._pre = a["id"]
            self.text_of[self._pre] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "figure" and self._figure is not None:
            self.figures.append(tuple(self._figure))
            self._figure = None
        elif tag in ("pre", "p"):
            self._pre = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._pre is not None:
            self.text_of[self._pre] += data


def parse(text):
    d = Dom()
    d.feed(text)
    return d


def human_rate(x):
    """render/format.c's lb_human_rate, for the expected cells."""
    if x is None or not math.isfinite(x):
        return "-"
    if x == 0:
        return "0"
    a, e, suffix = abs(x), 0, " kMGTP"
    while a >= 999.5 and e < 5:
        a /= 1000
        x /= 1000
        e += 1
    s = "%.0f" % x if a >= 99.95 else "%.1f" % x if a >= 9.995 else "%.2f" % x
    return s + (suffix[e] if e else "")


MEASURE = """
<pre id="lb-check"></pre>
<script id="lb-check-script">
(function () {
  var out = {charts: 0, canvases: [], outside: []};
  document.querySelectorAll('figure.chart').forEach(function (fig) {
    var svg = fig.querySelector('svg');
    if (!svg) return;
    out.charts++;
    var vb = svg.viewBox.baseVal, box = svg.getBoundingClientRect(), k = box.width / vb.width;
    out.canvases.push([fig.id, vb.width, vb.height]);
    svg.querySelectorAll('text').forEach(function (t) {
      if (!t.textContent.trim()) return;
      var r = t.getBoundingClientRect();
      var x0 = (r.left - box.left) / k, x1 = (r.right - box.left) / k;
      var y0 = (r.top - box.top) / k, y1 = (r.bottom - box.top) / k;
      if (x0 < -0.5 || y0 < -0.5 || x1 > vb.width + 0.5 || y1 > vb.height + 0.5)
        out.outside.push([fig.id, t.textContent, Math.round(x0), Math.round(y0), Math.round(x1), Math.round(y1)]);
    });
  });
  document.getElementById('lb-check').textContent = JSON.stringify(out);
})();
</script>
"""


def check_self_contained(name, dom):
    for tag, a in dom.tags:
        if a.get("id") == "lb-check-script":
            continue  # the measuring script this check adds to its copy of the page
        if tag in ("script", "link", "img", "iframe", "object", "embed", "audio", "video"):
            fail(f"{name}: a <{tag}> element: the page must fetch nothing and run nothing")
        if "src" in a:
            fail(f"{name}: <{tag} src={a['src']!r}>")
        for attr in ("href", "xlink:href"):
            if attr in a and not a[attr].startswith("#"):
                fail(f"{name}: <{tag} {attr}={a[attr]!r}> leads outside the page")
        if "style" in a and "url(" in a["style"] and "url(#" not in a["style"]:
            fail(f"{name}: a style fetching {a['style']!r}")


def check_summary(name, dom, result_path, section, filtered=None):
    with open(result_path) as f:
        doc = json.load(f)
    configs = [c for c in doc["configs"] if filtered is None or filtered(c)]
    rows = dom.tables.get(f"{section}-summary")
    if rows is None:
        fail(f"{name}: no summary table #{section}-summary in the rendered page")
        return
    head, body = rows[0], rows[1:]
    if len(body) != len(configs):
        fail(f"{name}: the summary has {len(body)} rows, the result {len(configs)} configs")
        return
    col = {h: i for i, h in enumerate(head)}
    for c, row in zip(configs, body):
        lock = c["id"].split("|")[0].rstrip(":")
        med = c.get("summary", {}).get("throughput_per_s", {}).get("median")
        want = {"lock": lock, "threads": str(c["threads"]), "status": c["status"], "ops/s": human_rate(med)}
        for k, v in want.items():
            if row[col[k]] != v:
                fail(f"{name}: summary row of {c['id']}: {k} shows {row[col[k]]!r}, the result says {v!r}")


def check_page(browser, name, page, want_charts, results=(), verdict=None, screenshot=False):
    """One browser run on a copy of the page with the measuring script added at its end."""
    with open(page, encoding="utf-8") as f:
        text = f.read()
    if "lb-check" in text:
        fail(f"{name}: the page itself holds the check's marker")
    measured = page + ".measure.html"
    with open(measured, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", MEASURE + "</body>"))
    dom = parse(browse(browser, "file://" + measured, ["--dump-dom", "--window-size=1200,900"]))
    check_self_contained(name, dom)
    if len(dom.figures) != want_charts:
        fail(f"{name}: {len(dom.figures)} charts rendered, expected {want_charts}")
    for fid, nsvg in dom.figures:
        if nsvg != 1:
            fail(f"{name}: chart {fid} holds {nsvg} <svg>")
    for section, path, keep in results:
        check_summary(name, dom, path, section, keep)
    if verdict is not None:
        section, want = verdict
        got = dom.text_of.get(f"{section}-overall", "")
        if not got.startswith(want):
            fail(f"{name}: the verdict reads {got!r}, expected it to start with {want!r}")
    try:
        m = json.loads(dom.text_of.get("lb-check", ""))
    except ValueError:
        fail(f"{name}: the measuring script left no result")
        return
    if m["charts"] != want_charts:
        fail(f"{name}: {m['charts']} charts laid out, expected {want_charts}")
    for fid, w, h in m["canvases"]:
        if w > MAX_W or h > MAX_H:
            fail(f"{name}: chart {fid} is {w:.0f} x {h:.0f} px, over {MAX_W} x {MAX_H}")
    for fid, t, x0, y0, x1, y1 in m["outside"]:
        fail(f"{name}: chart {fid}: text {t!r} at [{x0},{y0} .. {x1},{y1}] is outside its canvas")
    if screenshot:
        shot = page + ".png"
        browse(browser, "file://" + page, ["--screenshot=" + shot, "--window-size=1200,1600"])
        with open(shot, "rb") as f:
            png = f.read()
        if not png.startswith(b"\x89PNG") or len(png) < 20000:
            fail(f"{name}: the screenshot is not a PNG of a rendered page ({len(png)} bytes)")
    print(f"check-report: {name}: {m['charts']} charts, {len(m['outside'])} texts outside, "
          f"{sum(len(r) for r in dom.tables.values())} table rows")


def negative_control(browser, page, result_path):
    """A broken copy of a good page: each check must catch its own bug there."""
    with open(page, encoding="utf-8") as f:
        text = f.read()
    broken = text.replace('<g transform="translate(', '<g transform="translate(-400,0) translate(', 1)
    broken = broken.replace("</main>", '<img src="https://example.invalid/x.png"></main>', 1)
    i = broken.index('<td class="num">', broken.index('-summary"'))
    broken = broken[:i] + '<td class="num">9999' + broken[i + len('<td class="num">'):]  # threads of row 1
    bad = page + ".broken.html"
    with open(bad, "w", encoding="utf-8") as f:
        f.write(broken)
    global failures, quiet
    kept = failures
    failures, quiet = [], True
    check_page(browser, "negative control", bad, 5, [("in1", result_path, None)], None)
    caught = failures
    failures, quiet = kept, False
    for what, needle in (("a text moved off its canvas", "outside its canvas"), ("an image fetched from elsewhere", "<img"),
                         ("a summary cell that disagrees with the result", "threads shows '9999")):
        if not any(needle in m for m in caught):
            fail(f"negative control: {what} was not caught ({caught})")
    print(f"check-report: negative control: {len(caught)} faults caught")


def report(out, *args):
    # The repository's scripts, wherever the binary is (make asan builds it into build/asan/).
    env = dict(os.environ, LOCKBENCH_PLOTS_DIR=os.environ.get("LOCKBENCH_PLOTS_DIR", os.path.join(ROOT, "plots")))
    p = subprocess.run([LOCKBENCH, "report", *args, "-o", out, "-q"], capture_output=True, text=True, cwd=ROOT,
                       timeout=600, env=env)
    if p.returncode != 0:
        sys.exit(f"check-report: lockbench report {' '.join(args)} exited {p.returncode}: {p.stderr}")


def hostile(src, dst):
    with open(src) as f:
        doc = json.load(f)
    doc["context"]["host"] = "<script>alert('host')</script> & \"quoted\""
    for c in doc["configs"]:
        if c["lock"]["name"] == "ticket":
            c["id"] = c["id"].replace("ticket:", "<img src=x onerror=alert(1)>:", 1)
            c["lock"]["name"] = "<img src=x onerror=alert(1)>"
    with open(dst, "w") as f:
        json.dump(doc, f)


def main():
    browser = chromium()
    tmp = tempfile.mkdtemp(prefix="lockbench-check-report.")
    try:
        fx = os.path.join(ROOT, "tests/fixtures/plot")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/fixtures/scale/gen.py"), tmp], check=True)
        pages = []
        page = os.path.join(tmp, "plot.html")
        report(page, os.path.join(fx, "result.json"), os.path.join(fx, "verdict.json"))
        pages.append(("result and verdict", page, 6, [("in1", os.path.join(fx, "result.json"), None)],
                      ("in2", "regression: 1 regression")))
        # One page of several results (a browser start costs seconds): 1 lock, 1,024 threads, hostile names.
        evil = os.path.join(tmp, "hostile.json")
        hostile(os.path.join(fx, "result.json"), evil)
        one, wide = os.path.join(tmp, "one_lock.json"), os.path.join(tmp, "many_threads.json")
        page = os.path.join(tmp, "three.html")
        report(page, one, wide, evil)
        pages.append(("1 lock, 1,024 threads, hostile names", page, 15,
                      [("in1", one, None), ("in2", wide, None), ("in3", evil, None)], None))
        src = os.path.join(tmp, "many_locks.json")
        page = os.path.join(tmp, "many_locks.html")
        report(page, src)
        pages.append(("21 locks", page, 5, [("in1", src, None)], None))
        page = os.path.join(tmp, "filtered.html")
        report(page, src, "--filter", "lock=ck-*,threads=4-8")
        keep = lambda c: c["lock"]["name"].startswith("ck-") and 4 <= c["threads"] <= 8
        pages.append(("21 locks filtered", page, 5, [("in1", src, keep)], None))
        page = os.path.join(tmp, "one_lock.html")
        report(page, one)
        for i, (name, page, charts, results, verdict) in enumerate(pages):
            check_page(browser, name, page, charts, results, verdict, screenshot=i == 0)
        negative_control(browser, os.path.join(tmp, "one_lock.html"), os.path.join(tmp, "one_lock.json"))
    finally:
        if os.environ.get("CHECK_REPORT_KEEP"):
            print(f"check-report: pages kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"check-report: {len(failures)} failed", file=sys.stderr)
        sys.exit(1)
    print(f"check-report: {len(pages)} pages passed, 0 failed")


if __name__ == "__main__":
    main()
