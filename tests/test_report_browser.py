"""report.html in a real browser: headless Chromium renders it, and the figures show.

Skipped, with the reason, where Chromium is not installed (Debian: ``apt-get install chromium``).
Two Chromium runs on the same page and window: ``--dump-dom`` of a copy with a small
measuring script (where each image was laid out, and whether the browser decoded it), then
``--screenshot`` of the report itself.  Checks: every figure decoded at its natural size and
laid out at the size the report asks for; in the screenshot, a figure of one known colour fills
exactly that rectangle; a real matplotlib figure (Fig. 2 on a coarse grid) is not blank there.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and Path(p).is_file()), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (/usr/bin/chromium); "
                                                         "apt-get install chromium to run this test")
WIDTH = 1280
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=10000"]
COLOR = (200, 30, 30)

MEASURE = """<script>
window.addEventListener("load", function () {
  var out = Array.prototype.map.call(document.images, function (im) {
    var r = im.getBoundingClientRect();
    return {id: im.parentElement.id, complete: im.complete, naturalWidth: im.naturalWidth,
            naturalHeight: im.naturalHeight, x: r.left + window.scrollX, y: r.top + window.scrollY,
            w: r.width, h: r.height};
  });
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = JSON.stringify({images: out, height: document.documentElement.scrollHeight});
  document.body.appendChild(pre);
});
</script>"""


def _chromium(tmp_path, url, *args, height=3000):
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"  # a fresh profile per run
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{height}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from PIL import Image

    from isingsc.plotting import figures as figures
    from isingsc.workflows.report import build_report

    folder = tmp_path_factory.mktemp("results")
    Image.new("RGB", (500, 240), COLOR).save(folder / "fig1_test_block.png")     # one known colour
    figures.figure_2(folder, n_grid=41)                                          # a real figure
    return build_report(folder)


@pytest.fixture(scope="module")
def layout(report, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dom")
    page = tmp / "measure.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    run = _chromium(tmp, page.as_uri(), "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="measure">(.*?)</pre>', run.stdout, re.S)
    assert found, "the measuring script did not run: " + run.stdout[-500:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _declared(report):
    """(width, height) each <img> asks for, in document order."""
    return [(int(w), int(h)) for w, h in re.findall(r'<img src="data:image/png;base64,[^"]+" width="(\d+)" '
                                                    r'height="(\d+)"', report.read_text(encoding="utf-8"))]


def test_images_decoded_and_laid_out_at_the_declared_size(report, layout):
    images = layout["images"]
    assert [im["id"] for im in images] == ["fig1_test_block", "fig2_rho0_rho3"]
    for im, (w, h) in zip(images, _declared(report)):
        assert im["complete"] and im["naturalWidth"] > 0, im          # the browser decoded the PNG
        assert (round(im["w"]), round(im["h"])) == (w, h), im
    assert (images[0]["naturalWidth"], images[0]["naturalHeight"]) == (500, 240)


def test_screenshot_shows_the_figures(report, layout, tmp_path):
    from PIL import Image

    height = int(layout["height"]) + 10                 # the whole page in one viewport
    shot = tmp_path / "report.png"
    run = _chromium(tmp_path, report.as_uri(), f"--screenshot={shot}", height=height)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[:2] == (height, WIDTH)           # the expected screenshot size

    block, real = layout["images"]
    # the one-colour figure: exactly its laid-out rectangle has its colour
    mask = np.all(pixels == COLOR, axis=-1)
    ys, xs = np.nonzero(mask)
    assert len(ys), "the known-colour figure is not on the screenshot"
    x0, y0 = round(block["x"]), round(block["y"])
    assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x0, y0, x0 + 500, y0 + 240)
    assert mask.sum() == 500 * 240
    # the real matplotlib figure: not blank where it is laid out (many colours, ink on the page)
    x, y, w, h = (round(real[k]) for k in ("x", "y", "w", "h"))
    region = pixels[y:y + h, x:x + w].reshape(-1, 3)
    assert region.shape[0] == w * h and w > 300 and h > 100
    colours = len(np.unique(region, axis=0))
    ink = np.mean(np.any(region < 200, axis=1))
    assert colours > 200 and ink > 0.1, (colours, ink)
