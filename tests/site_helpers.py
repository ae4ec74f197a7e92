"""Helpers for tests/test_site.py: a local HTTP server, HTML parsing, solution lines."""

import io
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from lessons_util import BEGIN_SOLUTION, END_SOLUTION, ROOT, region_lines

MKDOCS_ENV = {**os.environ, 'NO_MKDOCS_2_WARNING': '1'}

# Lines this short ("return x", "else:") say nothing about a solution.
SHORTEST_TELLING_LINE = 12

def mkdocs_build(config, site_dir):
    return subprocess.run(
        [sys.executable, '-m', 'mkdocs', 'build', '--strict', '--config-file', str(config),
         '--site-dir', str(site_dir)],
        cwd=ROOT, env=MKDOCS_ENV, capture_output=True, text=True, timeout=600)


LINK_ATTRIBUTES = {'a': 'href', 'link': 'href', 'script': 'src', 'img': 'src',
                   'source': 'src', 'iframe': 'src', 'video': 'src', 'audio': 'src'}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids, self.text = [], set(), []
        self._hidden = 0          # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('id'):
            self.ids.add(attrs['id'])
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and attrs.get(wanted):
            self.links.append((tag, wanted, attrs[wanted]))
        if tag in ('script', 'style'):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _parse(html):
    page = _Page()
    page.feed(html)
    page.close()
    return page


def html_links_and_ids(html):
    """([(tag, attribute, target)], {ids}) of an HTML page."""
    page = _parse(html)
    return page.links, page.ids


def visible_text(html):
    """The text of an HTML page or fragment, entities decoded, with no markup in between,
    so a highlighted code line reads as it was written."""
    return ''.join(_parse(html).text)


def solution_lines(solutions):
    """(notebooks, [(notebook:grade_id, line)]) for every telling line inside a
    ### BEGIN SOLUTION / ### END SOLUTION region of solutions/*/*.ipynb."""
    notebooks = sorted(solutions.glob('*/*.ipynb'))
    found = []
    for notebook in notebooks:
        for cell in json.loads(notebook.read_text())['cells']:
            source = cell['source']
            source = ''.join(source) if isinstance(source, list) else source
            grade_id = cell.get('metadata', {}).get('nbgrader', {}).get('grade_id', '?')
            for line in region_lines(source, BEGIN_SOLUTION, END_SOLUTION):
                line = re.sub(r'\s+', ' ', line).strip()
                if len(line) >= SHORTEST_TELLING_LINE:
                    found.append((f'{notebook.name}:{grade_id}', line))
    return notebooks, found


class SiteServer:
    """A folder served over HTTP on 127.0.0.1 (a free port) from a background thread.

    With a prefix ('/micrograd-course') it is served as GitHub Pages serves a project: under
    that sub-path, with the site's 404.html for every missing page."""

    def __init__(self, folder, prefix=''):
        handler = partial(_SubPathHandler if prefix else _QuietHandler, directory=str(folder))
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self._httpd.prefix, self._httpd.folder = prefix, folder
        self.url = f'http://127.0.0.1:{self._httpd.server_address[1]}{prefix}'
        self._cache = {}

    @property
    def fetched(self):
        return len(self._cache)

    def get(self, url):
        """(status, text) of a GET, remembered per URL."""
        if url not in self._cache:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    self._cache[url] = (response.status,
                                        response.read().decode('utf-8', 'replace'))
            except urllib.error.HTTPError as error:
                self._cache[url] = (error.code, '')
        return self._cache[url]

    def __enter__(self):
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _SubPathHandler(_QuietHandler):
    def send_head(self):
        prefix = self.server.prefix
        if self.path == prefix or self.path.startswith(prefix + '/'):
            self.path = self.path[len(prefix):] or '/'
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                path = os.path.join(path, 'index.html')
            if os.path.exists(path):
                return super().send_head()
        body = (self.server.folder / '404.html').read_bytes()
        self.send_response(404)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


# -- near copies of solution lines ------------------------------------------------------

TOKEN = re.compile(r'[A-Za-z_]\w*|\d+(?:\.\d*)?(?:e-?\d+)?|\*\*|//|[-+*/%<>=!]=|\S')
NEAR_COPY_RATIO = 0.85       # 8 of 9 tokens the same (one word changed) is a near copy
SHORTEST_TELLING_TOKENS = 6  # `return x` or `else:` says nothing about a solution


def tokens(line):
    """A line of code as tokens (names, numbers, operators), so spacing never matters."""
    return TOKEN.findall(line)


class _Code(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.blocks, self._text = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag == 'code':
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == 'code' and self.depth:
            self.depth -= 1
            if not self.depth:
                self.blocks.append(''.join(self._text))
                self._text = []

    def handle_data(self, data):
        if self.depth:
            self._text.append(data)


def code_lines(html):
    """Every line of every <code> element (blocks and inline) of an HTML page."""
    parser = _Code()
    parser.feed(html)
    parser.close()
    return [line.strip() for block in parser.blocks for line in block.splitlines()
            if line.strip()]


def near_copies(secrets, shown):
    """[(where, secret, shown line)] for each shown line whose tokens are nearly a secret's:
    the same after any one-word change, a renamed variable, or other spacing."""
    from difflib import SequenceMatcher

    wanted = [(where, line, tokens(line)) for where, line in secrets]
    wanted = [w for w in wanted if len(w[2]) >= SHORTEST_TELLING_TOKENS]
    found = []
    for text in dict.fromkeys(shown):
        seen = tokens(text)
        for where, line, secret in wanted:
            matcher = SequenceMatcher(None, secret, seen, autojunk=False)
            if matcher.real_quick_ratio() >= NEAR_COPY_RATIO and \
                    matcher.quick_ratio() >= NEAR_COPY_RATIO and \
                    matcher.ratio() >= NEAR_COPY_RATIO:
                found.append((where, line, text))
    return found
