"""MkDocs hook: the site's figures, drawn at build time from the reference micrograd.

The figures never enter docs/ (writing there would make `mkdocs serve` rebuild in a
loop). They are drawn into a cache folder, `.cache/figures/<key>/`, where the key is
a hash of every source file the drawing depends on, and added to the build in
`on_files` as generated files under `figures/`. An unchanged source tree reuses the
cache; any edit to micrograd/ or to these hooks draws again.
"""

import hashlib
import html
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import worked_examples
from mkdocs.structure.files import File

import micrograd

log = logging.getLogger('mkdocs.hooks.figures')

HOOKS = Path(__file__).parent
MICROGRAD = Path(micrograd.__file__).parent

# A graph is never shown so small that its text falls under this size, in CSS pixels: on
# a narrow screen its paragraph scrolls sideways instead (site.css), and a click opens it
# at full size.
SMALLEST_TEXT_PX = 10
SVG_SIZE = re.compile(r'<svg\b[^>]*\bviewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
GRAPH_IMAGE = re.compile(r'<img\b[^>]*\bsrc="([^"]*figures/([\w.-]+\.svg))"[^>]*>')

# The full demo trains for 100 steps (about a minute in pure Python); the site's
# figure uses the same data, model and schedule compressed into fewer steps.
MOONS_STEPS = 40


@dataclass(frozen=True)
class Job:
    """Some figures drawn together, and the files whose content decides them."""

    name: str
    outputs: tuple
    sources: tuple
    draw: Callable[[Path], None]      # writes every output into the given folder

    def key(self):
        digest = hashlib.sha256(f'{self.name} {self.outputs} {MOONS_STEPS}'.encode())
        for path in sorted(self.sources):
            digest.update(path.name.encode() + b'\0' + path.read_bytes())
        return f'{self.name}-{digest.hexdigest()[:16]}'


def draw_graphs(folder):
    from micrograd.graph import draw_dot

    for filename, (example, rankdir) in worked_examples.GRAPHS.items():
        root, labels = example()
        svg = draw_dot(root, labels, rankdir=rankdir).pipe(format='svg')
        (folder / filename).write_bytes(svg)


def draw_moons(folder):
    from micrograd import moons, plots

    X, y = moons.make_data()
    model = moons.make_model()
    history = moons.train(model, X, y, steps=MOONS_STEPS)
    plots.plot_decision_boundary(model, X, y, folder / '08-training-boundary.png')
    plots.plot_training_curves(history, folder / '08-training-loss.png')


JOBS = (
    Job('graphs', tuple(worked_examples.GRAPHS),
        (HOOKS / 'figures.py', HOOKS / 'worked_examples.py',
         MICROGRAD / 'engine.py', MICROGRAD / 'nn.py', MICROGRAD / 'graph.py'),
        draw_graphs),
    Job('moons', ('08-training-boundary.png', '08-training-loss.png'),
        (HOOKS / 'figures.py', MICROGRAD / 'engine.py', MICROGRAD / 'nn.py',
         MICROGRAD / 'moons.py', MICROGRAD / 'plots.py'),
        draw_moons),
)


def cached(job, cache):
    """The folder holding job's outputs, drawing them first if the cache has none."""
    folder = cache / job.key()
    if all((folder / name).is_file() for name in job.outputs):
        return folder
    log.info('Drawing figures: %s (cached in %s)', job.name, folder)
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=cache, prefix='.drawing-'))
    try:
        job.draw(scratch)
        os.replace(scratch, folder)   # atomic: a parallel build sees all or nothing
    except OSError:
        if not folder.is_dir():       # not a lost race with another build: a real error
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


def prune(cache, keep):
    """Remove the figures of source versions that no longer exist."""
    for entry in cache.iterdir():
        if entry.is_dir() and not entry.name.startswith('.') and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def smallest_width(svg):
    """The narrowest CSS width (px) at which the SVG's smallest text is SMALLEST_TEXT_PX."""
    width = float(SVG_SIZE.search(svg).group(1))
    font = min(float(size) for size in FONT_SIZE.findall(svg))
    return round(width * SMALLEST_TEXT_PX / font)


MIN_WIDTHS = {}     # figure name -> smallest_width, filled in on_files


def on_files(files, config):
    cache = Path(config.config_file_path).parent / '.cache' / 'figures'
    folders = {job: cached(job, cache) for job in JOBS}
    prune(cache, {folder.name for folder in folders.values()})
    for job, folder in folders.items():
        for name in job.outputs:
            files.append(File.generated(config, f'figures/{name}',
                                        abs_src_path=str(folder / name)))
            if name.endswith('.svg'):
                MIN_WIDTHS[name] = smallest_width((folder / name).read_text(encoding='utf-8'))
    return files


def on_page_content(content, page, config, files):
    """Every graph: a minimum width that keeps its text readable, and a link to enlarge it."""
    def graph(match):
        image, src, name = match.group(0), match.group(1), match.group(2)
        if name not in MIN_WIDTHS:
            return image
        image = image.replace('<img ', f'<img class="graph" style="min-width: '
                                       f'{MIN_WIDTHS[name]}px" ', 1)
        return (f'<a class="graph-link" href="{html.escape(src)}" '
                f'title="Open the graph at full size">{image}</a>')
    return GRAPH_IMAGE.sub(graph, content)
