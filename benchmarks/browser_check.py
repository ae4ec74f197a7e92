"""The hidden check in the browser: how long a learner waits, cold and warm, beside the CLI.

    python benchmarks/browser_check.py [--rounds 3] [--stages 01-value 04-backward 07-mlp]
    python benchmarks/browser_check.py --lite [--rounds 3]     # the check cell in JupyterLite

Lays lite/assets.py's assets out in a temporary folder with the check worker
(lite/check/), serves them on 127.0.0.1 and, in Debian's chromium (every other host
refused), starts the check worker on each stage's solution notebook as the lesson's check
cell does. Cold: a new browser profile (nothing cached) per round; warm: the same page
again (the HTTP cache full; both interpreters are loaded afresh each check, by design).
Each time is split into loading the two interpreters and their packages, and the check
itself. The baseline, measured side by side: `autograder check` on the same notebook in a
terminal. Medians of the rounds.

With --lite it builds the JupyterLite deployment (lite/build.py, with the check worker) and
times what a learner waits for in the lesson itself: the check cell of 01-value on the
solution (written over the saved notebook), the first time in a new profile (cold) and
again (warm), from pressing Shift+Enter to the report.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / 'tests')]

from site_helpers import SiteServer  # noqa: E402

from autograder import course  # noqa: E402
from lite import assets, check  # noqa: E402

START = '''([url, stage, notebook]) => new Promise((resolve) => {
  const started = performance.now();
  const worker = new Worker(url, { type: 'module' });
  worker.onmessage = ({ data }) => { worker.terminate();
    resolve({ ...data, wall: (performance.now() - started) / 1000 }); };
  worker.postMessage({ stage, notebook });
})'''


def browser_round(playwright, server, stages, profile):
    """{stage: [(wall, load, check) cold, (...) warm]} in one new browser profile."""
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path='/usr/bin/chromium', headless=True, args=['--no-sandbox'])
    outside = []

    def only_local(route):
        if urlsplit(route.request.url).hostname == '127.0.0.1':
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route('**/*', only_local)
    page = context.new_page()
    page.goto(f'{server.url}/index.json')
    times = {}
    for stage in stages:
        text = course.stage(stage).source.read_text(encoding='utf-8')
        for _ in ('cold', 'warm'):
            message = page.evaluate(START, [f'{server.url}/{check.WORKER}', stage, text])
            assert message['kind'] == 'report', message
            score = message['report']['result']['score']
            assert score == course.stage(stage).max_score, message['report']['text']
            times.setdefault(stage, []).append(
                (message['wall'], message['timings']['load'], message['timings']['check']))
    context.close()
    assert not outside, outside
    return times


def lite_round(playwright, server, profile, stage='01-value'):
    """(cold, warm) seconds of the check cell in JupyterLite, in a new browser profile."""
    import base64

    from test_browser_check import run_new_cell

    context = playwright.chromium.launch_persistent_context(
        profile, executable_path='/usr/bin/chromium', headless=True, args=['--no-sandbox'])
    page = context.new_page()
    page.goto(f'{server.url}/{course.stage(stage).lite_path.removeprefix(course.LITE)}')
    page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=120_000)
    solved = base64.b64encode(course.stage(stage).source.read_bytes()).decode()
    run_new_cell(page, f'import base64\nopen({stage + ".ipynb"!r}, "wb").write('
                       f'base64.b64decode({solved!r}))\n'
                       'from autograder.in_notebook import check_my_work')
    times = []
    for _ in ('cold', 'warm'):
        started = time.perf_counter()
        output = run_new_cell(page, f'check_my_work({stage!r})')
        times.append(time.perf_counter() - started)
        assert f'{course.stage(stage).max_score}/{course.stage(stage).max_score} points' \
            in output, output
    context.close()
    return times


def lite_main(rounds):
    from playwright.sync_api import sync_playwright

    from lite import build

    with tempfile.TemporaryDirectory(prefix='browser-check-lite-') as folder:
        out = Path(folder, 'lite')
        build.build(out)
        check.install(out / build.ASSETS)
        with SiteServer(out) as server, sync_playwright() as playwright:
            times = [lite_round(playwright, server, str(Path(folder, f'profile-{i}')))
                     for i in range(rounds)]
    cold, warm = (statistics.median(t[i] for t in times) for i in (0, 1))
    print(f'the check cell of 01-value in JupyterLite: cold {cold:.1f} s, warm {warm:.1f} s '
          f'(medians of {rounds}; each: {[f"{a:.1f}/{b:.1f}" for a, b in times]})')


def local_check(stage):
    started = time.perf_counter()
    subprocess.run([sys.executable, '-m', 'autograder.cli', 'check', stage,
                    str(course.stage(stage).source)], capture_output=True, check=False)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--stages', nargs='+', default=['01-value', '04-backward', '07-mlp'])
    parser.add_argument('--lite', action='store_true', help='the check cell in JupyterLite')
    args = parser.parse_args()
    if args.lite:
        return lite_main(args.rounds)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix='browser-check-') as folder:
        assets.build(Path(folder, 'assets'))
        check.install(Path(folder, 'assets'))
        rounds, local = [], {stage: [] for stage in args.stages}
        with SiteServer(Path(folder, 'assets')) as server, sync_playwright() as playwright:
            for i in range(args.rounds):
                rounds.append(browser_round(playwright, server, args.stages,
                                            str(Path(folder, f'profile-{i}'))))
                for stage in args.stages:
                    local[stage].append(local_check(stage))
    print('| stage | browser cold: wall (load + check) | browser warm: wall (load + check) '
          '| `autograder check` | warm / local |')
    print('|---|---|---|---|---|')
    for stage in args.stages:
        cells = []
        for kind in (0, 1):
            wall, load, run = (statistics.median(r[stage][kind][j] for r in rounds)
                               for j in range(3))
            cells.append(f'{wall:.1f} s ({load:.1f} + {run:.1f})')
        base = statistics.median(local[stage])
        warm = statistics.median(r[stage][1][0] for r in rounds)
        print(f'| {stage} | {cells[0]} | {cells[1]} | {base:.1f} s | {warm / base:.1f}x |')


if __name__ == '__main__':
    main()
