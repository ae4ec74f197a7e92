"""The course website: strict build, worked examples, links, leaks, and a real browser.

The site is built once per test session (shared by pytest-xdist workers) into a
temporary folder; figures come from the hook's cache in .cache/figures/.
"""

import doctest
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from site_helpers import (
    SiteServer,
    code_lines,
    html_links_and_ids,
    mkdocs_build,
    near_copies,
    solution_lines,
    visible_text,
)

import micrograd
from autograder import course
from micrograd import moons
from micrograd.gradcheck import numerical_derivative
from micrograd.graph import draw_dot, trace

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / 'docs'
CHAPTERS = DOCS / 'chapters'
STAGES = course.STAGE_IDS
SCREENSHOTS = ROOT / 'out' / 'screenshots'
CHROMIUM = Path('/usr/bin/chromium')
@pytest.fixture(scope='session')
def server(site):
    with SiteServer(site) as served:
        yield served


# -- the Markdown sources (fast) ---------------------------------------------------

def chapter(stage):
    return (CHAPTERS / f'{stage}.md').read_text()


def test_chapter_ends_with_the_exercise(stage):
    text = chapter(stage)
    exercise = text.split('\n## Your exercise\n', 1)
    assert len(exercise) == 2, f'{stage}.md has no "## Your exercise" section'
    assert f'lessons/{stage}/{stage}.ipynb' in exercise[1]
    assert f'autograder check {stage}' in exercise[1]


def test_chapter_has_math_and_a_figure(stage):
    text = chapter(stage)
    assert '$$' in text and '\\(' in text, f'{stage}.md lacks display or inline math'
    assert re.search(r'!\[[^\]]+\]\(\.\./figures/[\w.-]+\.(svg|png)\)', text), \
        f'{stage}.md has no generated figure'


def test_chapter_examples_match_the_reference(stage):
    """Every `pycon` block of a chapter runs, in order, against the reference micrograd."""
    blocks = re.findall(r'^```pycon\n(.*?)^```', chapter(stage), re.S | re.M)
    if not blocks:
        pytest.skip(f'{stage}.md shows no interactive example')
    names = {'Value': micrograd.Value, 'Neuron': micrograd.Neuron, 'Layer': micrograd.Layer,
             'MLP': micrograd.MLP, 'Module': micrograd.Module, 'trace': trace,
             'draw_dot': draw_dot, 'numerical_derivative': numerical_derivative,
             'make_data': moons.make_data, 'make_model': moons.make_model,
             'loss': moons.loss, 'learning_rate': moons.learning_rate}
    test = doctest.DocTestParser().get_doctest('\n'.join(blocks), names, stage, stage, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, ''.join(report)
    assert runner.tries > 0


# -- strictness of the build -------------------------------------------------------

BROKEN_LINKS = {
    'good link': '[a heading](other.md#a-heading)',      # the control: this one builds
    'missing anchor': '[the idea](other.md#no-such-heading)',
    'absolute link': '[home](/index.md)',
    'unrecognised link': '[a lesson](../lessons/)',
}
BROKEN_LINKS_MESSAGES = {
    'missing anchor': r"index\.md.*'#no-such-heading'",
    'absolute link': r'index\.md.*absolute link',
    'unrecognised link': r"index\.md.*unrecognized relative link '\.\./lessons/'",
}


@pytest.mark.parametrize('kind', BROKEN_LINKS)
def test_strict_build_rejects_bad_links(kind, tmp_path):
    """The site's own validation and Markdown settings turn each bad link into a failure."""
    config = yaml.safe_load((ROOT / 'mkdocs.yml').read_text())
    small = {key: config[key] for key in ('validation', 'markdown_extensions')}
    docs = tmp_path / 'docs'
    docs.mkdir()
    (docs / 'index.md').write_text(f'# Home\n\nSee {BROKEN_LINKS[kind]}.\n')
    (docs / 'other.md').write_text('# Other\n\n## A heading\n')
    (tmp_path / 'mkdocs.yml').write_text(yaml.safe_dump(
        {'site_name': 'strictness', 'docs_dir': str(docs), **small,
         'nav': ['index.md', 'other.md']}))
    build = mkdocs_build(tmp_path / 'mkdocs.yml', tmp_path / 'site')
    if kind == 'good link':
        assert build.returncode == 0, build.stderr
    else:
        assert build.returncode != 0, f'a {kind} passed the strict build:\n{build.stderr}'
        assert re.search(BROKEN_LINKS_MESSAGES[kind], build.stderr), build.stderr


# -- the built site ----------------------------------------------------------------

@pytest.mark.slow
def test_every_page_and_figure_is_built(site):
    for stage in STAGES:
        assert (site / 'chapters' / stage / 'index.html').is_file()
    for page in ('instructor-guide', 'grading', 'architecture', 'benchmarks'):
        assert (site / page / 'index.html').is_file()
    figures = sorted(path.name for path in (site / 'figures').iterdir())
    assert '08-training-boundary.png' in figures and '04-backward-expression.svg' in figures
    for figure in (site / 'figures').iterdir():
        head = figure.read_bytes()[:200]
        assert head.startswith(b'\x89PNG') or b'<svg' in head or b'<?xml' in head, figure
    assert not (site / 'hooks').exists(), 'the hook modules must not be published'
    assert (site / 'assets' / 'katex' / 'LICENSE').is_file()


@pytest.mark.slow
def test_links_resolve_on_the_served_site(site, server):
    """Every href/src of every page, and every url() of the CSS, resolves on 127.0.0.1."""
    # 404.html links by absolute paths under site_url's sub-path: its own test serves it so.
    pages = sorted(page for page in site.rglob('*.html') if page != site / '404.html')
    canonical = yaml.safe_load((ROOT / 'mkdocs.yml').read_text())['site_url']
    problems, ids_of = [], {}

    def ids(url):
        if url not in ids_of:
            ids_of[url] = html_links_and_ids(server.get(url)[1])[1]
        return ids_of[url]

    for page in pages:
        page_url = server.url + '/' + page.relative_to(site).as_posix()
        links, _ = html_links_and_ids(page.read_text())
        for tag, attribute, target in links:
            absolute = urljoin(page_url, target)
            parts = urlsplit(absolute)
            if parts.scheme in ('mailto', 'data', 'javascript'):
                continue
            if tag == 'link' and target.startswith(canonical):
                continue                      # <link rel="canonical">: the published address
            if parts.netloc != urlsplit(server.url).netloc:
                if tag != 'a':
                    problems.append(f'{page}: external asset <{tag} {attribute}="{target}">')
                continue
            status, body = server.get(absolute.split('#')[0])
            if status != 200:
                problems.append(f'{page}: {target} -> HTTP {status}')
            elif parts.fragment and absolute.split('#')[0].endswith('/') \
                    and parts.fragment not in ids(absolute.split('#')[0]):
                problems.append(f'{page}: {target}: no element with id "{parts.fragment}"')
    for stylesheet in sorted(site.rglob('*.css')):
        css_url = server.url + '/' + stylesheet.relative_to(site).as_posix()
        for target in re.findall(r'url\(["\']?([^"\')]+)', stylesheet.read_text()):
            if target.startswith('data:') or target.startswith('#'):
                continue
            absolute = urljoin(css_url, target)
            if urlsplit(absolute).netloc != urlsplit(server.url).netloc:
                problems.append(f'{stylesheet}: external url({target})')
            elif server.get(absolute.split('#')[0].split('?')[0])[0] != 200:
                problems.append(f'{stylesheet}: url({target}) does not resolve')
    assert len(pages) >= 13
    assert server.fetched > 50, 'the link check fetched suspiciously little'
    assert not problems, '\n'.join(problems)


def site_text(site):
    """Everything the built site shows or ships, as text with whitespace collapsed."""
    parts = []
    for path in sorted(site.rglob('*')):
        if path.suffix == '.html':
            parts.append(visible_text(path.read_text()))
        elif path.name == 'search_index.json':
            index = json.loads(path.read_text())
            parts += [visible_text(doc['title'] + '\n' + doc['text']) for doc in index['docs']]
        elif path.suffix in ('.json', '.js', '.xml', '.txt', '.svg', '.ipynb', '.md', '.py'):
            parts.append(path.read_text(errors='replace'))
    return re.sub(r'\s+', ' ', '\n'.join(parts))


@pytest.mark.slow
def test_leak_detector_sees_code_and_prose(site):
    """The leak test below would notice a line of code if the site showed one."""
    text = site_text(site)
    assert 'L = d * f' in text                       # a line of a highlighted code block
    assert 'local derivative' in text                # prose
    assert "out = net([Value(2.0), Value(1.0)])" in text


@pytest.mark.slow
def test_no_solution_line_on_the_site(site):
    notebooks, lines = solution_lines(ROOT / 'solutions')
    if not notebooks:
        pytest.skip('solutions/ has no notebooks yet')
    assert lines, (f'solutions/ has {len(notebooks)} notebooks but no line inside a '
                   '### BEGIN SOLUTION region was found: the notebook format changed?')
    text = site_text(site)
    leaked = [f'{where}: {line}' for where, line in lines if line in text]
    assert not leaked, 'solution code on the site:\n' + '\n'.join(leaked)


def test_near_copy_detector_control():
    """Renamed, respaced or one-word-changed copies of a solution line are found; other code,
    and lines too short to tell anything, are not."""
    secret = [('04-backward.ipynb:backward-chain-rule', 'operand.grad += local_grad * self.grad')]
    assert near_copies(secret, ['operand.grad += local_grad * node.grad'])          # one word
    assert near_copies(secret, ['operand.grad+=local_grad*self.grad'])              # spacing
    assert near_copies(secret, ['operand.grad += local_grad  *  self.grad  # see'])
    assert not near_copies(secret, ['x.grad = 0.0', 'for p in model.parameters():',
                                    'L.backward()', 'operand.grad'])
    assert not near_copies(secret, ['out = net([Value(2.0), Value(1.0)])'])


@pytest.mark.slow
def test_no_near_copy_of_a_solution_line_on_the_site(site):
    """Every line of code the site shows (blocks and inline) against every solution line."""
    _, lines = solution_lines(ROOT / 'solutions')
    shown = [line for page in sorted(site.rglob('*.html')) for line in code_lines(page.read_text())]
    assert len(shown) > 300, 'the site shows suspiciously little code: did the parser break?'
    leaked = [f'{where}: {line!r} shown as {text!r}'
              for where, line, text in near_copies(lines, shown)]
    assert not leaked, 'near copies of solution code on the site:\n' + '\n'.join(leaked)


# -- a real browser ----------------------------------------------------------------

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--no-first-run', '--disable-sync']

PAGE_FACTS = """() => {
  const math = [...document.querySelectorAll('.md-content .arithmatex')];
  const boxes = math.map(m => m.querySelector('.katex-html'));
  const images = [...document.querySelectorAll('.md-content img')];
  return {
    math: math.length,
    typeset: boxes.filter(b => b).length,
    errors: document.querySelectorAll('.katex-error').length,
    empty: boxes.filter(b => b && !(b.getBoundingClientRect().width > 0
                                    && b.getBoundingClientRect().height > 0)).length,
    font: document.fonts.check('16px KaTeX_Main') && document.fonts.check('16px KaTeX_Math'),
    images: images.map(i => ({src: i.getAttribute('src'), width: i.naturalWidth,
                              done: i.complete})),
    copyButtons: document.querySelectorAll(
      '.md-content pre [data-md-type="copy"], .md-content pre .md-clipboard').length,
    codeBlocks: document.querySelectorAll('.md-content pre > code').length,
    cutOff: math.filter(m => m.tagName === 'DIV' && m.scrollWidth > m.clientWidth + 1)
                .map(m => m.textContent.trim().slice(0, 80)),
  }
}"""


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f'{CHROMIUM} is missing: apt-get install chromium')
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp('chromium-profile')), executable_path=str(CHROMIUM),
            headless=True, args=CHROMIUM_ARGS, viewport={'width': 1280, 'height': 900})
        outside = []

        def only_local(route):
            if urlsplit(route.request.url).hostname == '127.0.0.1':
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route('**/*', only_local)
        context.outside_requests = outside
        yield context
        context.close()


# The rendered size of each graph's smallest text: the SVG's font size in its own units,
# times the ratio of the image's width on the page to the SVG's width in those units.
GRAPH_TEXT = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('.md-content img[src$=".svg"]')) {
    const text = await (await fetch(img.src)).text();
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const width = Number(svg.getAttribute('viewBox').split(/\\s+/)[2]);
    const sizes = [...svg.querySelectorAll('text')]
      .map(t => parseFloat(t.getAttribute('font-size')));
    out.push({src: img.getAttribute('src'),
              px: Math.min(...sizes) * img.getBoundingClientRect().width / width,
              enlarge: img.closest('a') ? img.closest('a').getAttribute('href') : null});
  }
  return out;
}"""
SMALLEST_GRAPH_TEXT_PX = 9
WIDTHS = (1280, 390)


@pytest.mark.slow
@pytest.mark.parametrize('width', WIDTHS)
def test_chapter_in_chromium(stage, width, browser, server):
    page = browser.new_page()
    page.set_viewport_size({'width': width, 'height': 900})
    page.goto(f'{server.url}/chapters/{stage}/', wait_until='load')
    page.wait_for_function("document.querySelectorAll('.arithmatex .katex').length > 0")
    page.evaluate('document.fonts.ready.then(() => true)')
    facts = page.evaluate(PAGE_FACTS)
    graphs = page.evaluate(GRAPH_TEXT)
    overflow = page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f'{stage}-{width}.png'), full_page=True)
    page.close()
    (SCREENSHOTS / f'{stage}-{width}-graph-text.json').write_text(json.dumps(graphs, indent=1))

    assert facts['math'] > 0 and facts['typeset'] == facts['math'], facts
    assert facts['errors'] == 0 and facts['empty'] == 0, facts
    assert facts['font'], 'KaTeX fonts did not load'
    if width >= 1280:     # on a phone a long formula scrolls sideways in its own box
        assert facts['cutOff'] == [], f'{stage}: display math wider than the page: {facts}'
    figures = [image for image in facts['images'] if '/figures/' in image['src']]
    assert figures, f'{stage}: no figure on the page'
    for image in facts['images']:
        assert image['done'] and image['width'] > 0, f'{stage}: image not loaded: {image}'
    assert facts['codeBlocks'] == 0 or facts['copyButtons'] >= facts['codeBlocks']
    assert overflow <= 0, f'{stage} at {width} px: the page scrolls sideways by {overflow} px'
    if stage != '08-training':
        assert graphs, f'{stage}: no graph'
    for graph in graphs:
        assert graph['px'] >= SMALLEST_GRAPH_TEXT_PX, f'{stage} at {width} px: {graph}'
        assert graph['enlarge'] == graph['src'], f'{stage}: no enlarge link on {graph}'
    assert browser.outside_requests == [], browser.outside_requests


@pytest.mark.slow
def test_copy_buttons_copy_runnable_code(browser, server):
    """What Material's copy button copies from a pycon example: code, no prompts, no output."""
    page = browser.new_page()
    page.goto(f'{server.url}/chapters/01-value/', wait_until='load')
    copied = page.evaluate("""() => [...document.querySelectorAll('.md-content pre > code')]
      .filter(code => code.querySelector('.gp')).map(code => {
        code.setAttribute('data-md-copying', '');     // as Material does while it copies
        const text = code.innerText;
        code.removeAttribute('data-md-copying');
        return text;
      })""")
    page.close()
    assert copied, 'chapter 1 shows no pycon example'
    for text in copied:
        assert '>>>' not in text and '...' not in text.replace('...)', ''), text
        compile(text, 'copied', 'exec')
    names = {'Value': micrograd.Value, 'numerical_derivative': numerical_derivative}
    exec(copied[0], names)                # runs as pasted


@pytest.mark.slow
def test_search_index_and_sitemap(site):
    index = json.loads((site / 'search' / 'search_index.json').read_text())
    text = ' '.join(doc['title'] + ' ' + doc['text'] for doc in index['docs'])
    assert not re.search(r'\\[(\[]|\\(frac|cdot|leftarrow|partial)\b', text), \
        re.search(r'.{40}\\[(\[a-z].{40}', text)
    assert 'p ← p - η' in text                        # chapter 8's update rule, as text
    config = yaml.safe_load((ROOT / 'mkdocs.yml').read_text())
    sitemap = (site / 'sitemap.xml').read_text()
    for stage in STAGES:
        assert f'<loc>{config["site_url"]}chapters/{stage}/</loc>' in sitemap


@pytest.mark.slow
def test_404_page_under_the_project_sub_path(browser, site):
    """Served as GitHub Pages serves a project site: styled, its links inside the site."""
    with SiteServer(site, prefix='/micrograd-course') as served:
        page = browser.new_page()
        response = page.goto(served.url + '/no/such/page/', wait_until='load')
        styled = page.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                               ".position")
        links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        sheets = page.evaluate("[...document.styleSheets].filter(s => s.href).length")
        page.screenshot(path=str(SCREENSHOTS / '404.png'))
        page.close()
    assert response.status == 404
    assert styled in ('sticky', 'fixed') and sheets >= 2, (styled, sheets)
    inside = [link for link in links if link.startswith(served.url + '/')]
    outside = [link for link in links if urlsplit(link).hostname == '127.0.0.1'
               and not link.startswith(served.url + '/')]
    assert len(inside) > 10 and outside == [], outside
    assert browser.outside_requests == [], browser.outside_requests


@pytest.mark.slow
def test_home_search_and_dark_palette_in_chromium(browser, server):
    page = browser.new_page()
    page.goto(server.url + '/', wait_until='load')
    scheme = page.get_attribute('body', 'data-md-color-scheme')
    page.click('label.md-header__button[for^="__palette"]:visible')
    page.wait_for_function(f"document.body.dataset.mdColorScheme !== '{scheme}'")
    page.screenshot(path=str(SCREENSHOTS / 'home-toggled-palette.png'))

    page.click('input.md-search__input')    # at this width the search box is in the header
    page.keyboard.type('chain rule', delay=30)   # key events, as a reader types
    page.wait_for_selector('.md-search-result__item', timeout=15_000)
    first = page.get_attribute('.md-search-result__item a', 'href')
    page.screenshot(path=str(SCREENSHOTS / 'search-chain-rule.png'))
    page.close()
    assert '/chapters/04-backward/' in first
    assert browser.outside_requests == [], browser.outside_requests


@pytest.mark.slow
def test_grading_steps_are_one_numbered_list(site):
    html = (site / 'grading' / 'index.html').read_text()
    start = html.index('<ol>')
    steps = html[start:html.index('</ol>', start)]
    for step in ('Extraction', 'The sandbox worker', 'Probes', 'The judge', 'The gradebook'):
        assert re.search(rf'<li>\s*(<p>)?\s*<strong>{step}\.', steps), step
