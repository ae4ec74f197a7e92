"""How fast a lesson opens in the browser course, and how much the course adds to the site.

    python benchmarks/lite.py                 # builds the site into a temporary folder
    python benchmarks/lite.py --site site     # or measures a site already built

For each round, headless Chromium (Debian's) opens lesson 1 from the built site served on
127.0.0.1 and runs its first code cell as soon as the notebook shows it; the time is from
opening the address to that cell's result (its prompt numbered: JupyterLite's app, the
kernel's start with Pyodide and the preloaded wheels, and the cell itself, run as soon as
the kernel's status is idle).

- cold: a fresh browser profile each round (nothing cached);
- warm: the same profile opened a second time (the browser's HTTP cache filled).

Side by side, round by round, the baseline: the same deployment with the kernel as it
ships (`python -m lite.build OUT --as-shipped`): its wheels as PyPI has them, so that the page
compiles IPython at each start, and its worker importing the kernel from the drive.
Medians of --rounds (3). The size is everything under site/lite/, with the Pyodide folder
and the JupyterLite app apart. Results: docs/benchmarks.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import course  # noqa: E402
from lite.browser import NUMBERED, Server, browser, wait_for_kernel  # noqa: E402

STAGE = course.STAGES[0]


def folder_mb(path):
    return sum(p.stat().st_size for p in Path(path).rglob('*') if p.is_file()) / 1e6


def first_result(context, url):
    """(seconds to the notebook shown, to the first code cell's result) of one opening."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    cell = page.locator('.jp-Notebook .jp-CodeCell').first
    cell.wait_for(timeout=120_000)
    shown = time.perf_counter() - start
    # Run before the session has a kernel, JupyterLab leaves the cell unrun: a learner sees
    # the kernel's status turn idle first.
    wait_for_kernel(page, 300_000)
    cell.locator('.jp-InputPrompt').click()
    page.keyboard.press('Escape')
    page.keyboard.press('Control+Enter')
    prompt = cell.locator('.jp-InputPrompt').element_handle()
    page.wait_for_function(
        """([element, pattern]) => new RegExp(pattern).test(element.textContent)""",
        arg=[prompt, NUMBERED.pattern], timeout=300_000)
    result = time.perf_counter() - start
    page.close()
    return shown, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--site', type=Path, help='a built site (default: build one)')
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='lite-bench-') as scratch:
        scratch = Path(scratch)
        site = args.site
        if site is None:
            site = scratch / 'site'
            subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--strict', '--quiet',
                            '--site-dir', str(site)], cwd=ROOT, check=True)
        lite = site / course.LITE
        total, pyodide = folder_mb(lite), folder_mb(lite / 'assets')
        print(f'site/lite/: {total:.1f} MB (Pyodide, wheels and viz-js {pyodide:.1f} MB, '
              f'the JupyterLite app {total - pyodide:.1f} MB); the rest of the site '
              f'{folder_mb(site) - total:.1f} MB')
        baseline = scratch / 'baseline' / course.LITE
        subprocess.run([sys.executable, '-m', 'lite.build', str(baseline), '--as-shipped'],
                       cwd=ROOT, check=True, capture_output=True)
        variants = {'site': site, 'baseline': baseline.parent}
        times = {name: {'cold': [], 'warm': []} for name in variants}
        for round_ in range(args.rounds):
            for name, folder in variants.items():
                with Server(folder) as server, \
                        browser(scratch / f'profile-{name}-{round_}') as context:
                    url = server.url + STAGE.lite_path
                    times[name]['cold'].append(first_result(context, url))
                    times[name]['warm'].append(first_result(context, url))
                    assert not context.outside, context.outside
                print(f'round {round_ + 1}, {name}: cold {times[name]["cold"][-1][1]:.1f} s, '
                      f'warm {times[name]["warm"][-1][1]:.1f} s; load average '
                      f'{os.getloadavg()[0]:.1f}', flush=True)
    for name in variants:
        for kind, runs in times[name].items():
            shown = statistics.median(r[0] for r in runs)
            result = statistics.median(r[1] for r in runs)
            print(f'{name} {kind}: notebook shown {shown:.1f} s, first cell\'s result '
                  f'{result:.1f} s (median of {len(runs)})')
    for kind in ('cold', 'warm'):
        site_s, base_s = (statistics.median(r[1] for r in times[n][kind]) for n in variants)
        print(f'{kind}: the baseline takes {base_s / site_s:.2f}x as long')


if __name__ == '__main__':
    main()
