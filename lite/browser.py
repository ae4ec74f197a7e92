"""Driving the browser course in a real browser: Debian's Chromium through Playwright.

For tests/test_lite.py and benchmarks/lite.py. A built site is served on 127.0.0.1 from
a thread; the browser resolves no other host (Chromium's host resolver maps every other
name to nothing) and every request to another host is recorded and aborted, so a page
that would need the network fails instead of silently using it.

    with Server(site) as server, browser(profile) as context:
        page = open_lesson(context, server.url + 'lite/' + stage.lite_path.removeprefix(...))
        cells = run_code_cells(page)
"""

import re
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--no-first-run', '--disable-sync',
                 # Only 127.0.0.1 resolves: nothing can reach another host, even unseen.
                 '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1']
LOCAL = '127.0.0.1'
NUMBERED = re.compile(r'\[\d+\]')


class Server:
    """A folder served on 127.0.0.1 (a free port); .paths lists every path requested."""

    def __init__(self, folder):
        self.paths = []
        handler = partial(_Handler, directory=str(folder), paths=self.paths)
        self._httpd = ThreadingHTTPServer((LOCAL, 0), handler)
        self.url = f'http://{LOCAL}:{self._httpd.server_address[1]}/'

    def __enter__(self):
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, paths, **kwargs):
        self._paths = paths
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):
        self._paths.append(self.path)


@contextmanager
def browser(profile, viewport=(1280, 900)):
    """A headless Chromium with a persistent profile folder (a new folder: a cold cache).
    Its .outside lists every request to another host than 127.0.0.1 (all aborted)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f'{CHROMIUM} is missing: apt-get install chromium')
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={'width': viewport[0], 'height': viewport[1]})
        context.outside = []

        def only_local(route):
            if urlsplit(route.request.url).hostname == LOCAL:
                route.continue_()
            else:
                context.outside.append(route.request.url)
                route.abort()

        context.route('**/*', only_local)
        try:
            yield context
        finally:
            context.close()


def open_lesson(context, url, timeout=120_000):
    """A page showing the notebook at url, its kernel started (the toolbar says idle)."""
    page = context.new_page()
    page.goto(url)
    wait_for_kernel(page, timeout)
    return page


def wait_for_kernel(page, timeout=120_000):
    """Until the notebook's session has a kernel, started and idle: JupyterLab leaves a cell
    run before that unrun (its prompt stays "[ ]"). The toolbar's execution indicator is no
    sign of it (it reads idle before the session even has a kernel); JupyterLite's kernel
    status item shows its check mark only for a kernel that is there and idle."""
    page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=timeout)
    page.wait_for_selector('.jp-KernelStatus-success', state='attached', timeout=timeout)


def run_cell(page, cell, timeout=180_000):
    """Run one code cell (select it, Ctrl+Enter) and wait until its prompt is numbered."""
    cell.locator('.jp-InputPrompt').click()
    page.keyboard.press('Escape')
    page.keyboard.press('Control+Enter')
    prompt = cell.locator('.jp-InputPrompt')
    page.wait_for_function(
        """([element, pattern]) => new RegExp(pattern).test(element.textContent)""",
        arg=[prompt.element_handle(), NUMBERED.pattern], timeout=timeout)


def run_code_cells(page, count, timeout=180_000):
    """Run the notebook's count code cells in order, one at a time (an error does not stop
    the others, as when a learner runs them one by one); [{text, svg, error}] of their
    outputs. The notebook shows its cells a batch at a time: all of them are waited for."""
    page.wait_for_function(f"""() => document.querySelectorAll(
        '.jp-Notebook .jp-CodeCell').length >= {int(count)}""", timeout=timeout)
    out = []
    for cell in page.locator('.jp-Notebook .jp-CodeCell').all():
        run_cell(page, cell, timeout)
        area = cell.locator('.jp-OutputArea')
        out.append({'text': area.inner_text(),
                    'svg': area.locator('.jp-RenderedSVG, .jp-RenderedImage').count(),
                    'error': area.locator('[data-mime-type="application/vnd.jupyter.stderr"]'
                                          ).count() > 0})
    return out
