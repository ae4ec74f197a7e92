"""The browser course: its pins agree, the built deployment is complete and local, and a
lesson runs in JupyterLite in a real browser as it runs in JupyterLab.

The site (site/lite/ included) is built once per run by conftest.py's `site` fixture;
Pyodide and the wheels come from lite/assets.py's cache in .cache/lite/.
"""

import hashlib
import importlib.metadata
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
import tomllib
from lessons_util import errors, execute, lesson_path, read, source_path, text_output

from autograder import cells, course, given
from lite import assets
from lite import build as lite_build
from lite.browser import Server, browser, run_code_cells, wait_for_kernel

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text())
BROWSER_STAGE = '03-graph'      # visible checks and a graph drawing


# -- one source for every pin (fast) -----------------------------------------------------

def test_the_kernel_is_built_for_the_pinned_pyodide():
    from jupyterlite_pyodide_kernel import constants

    assert assets.PYODIDE.version == constants.PYODIDE_VERSION


def test_the_lite_extra_pins_what_assets_pins():
    lite = PYPROJECT['project']['optional-dependencies']['lite']
    for name, version in (assets.JUPYTERLITE_CORE, assets.KERNEL_EXTENSION):
        assert f'{name}=={version}' in lite
        assert importlib.metadata.version(name) == version, f'{name}: reinstall .[lite]'
    assert 'micrograd-course[learner,lite]' in PYPROJECT['project']['optional-dependencies'][
        'docs'], 'mkdocs build builds the browser course: the docs extra needs lite'


def test_the_kernel_preloads_what_the_kernel_would_install():
    settings = lite_build.kernel_settings()['jupyter-config-data']['litePluginSettings']
    kernel = settings[lite_build.KERNEL_PLUGIN]
    assert kernel['disablePyPIFallback'] is True
    assert kernel['pyodideUrl'] == './assets/pyodide/pyodide.mjs'
    assert kernel['loadPyodideOptions']['packages'] == lite_build.preloaded()
    for name in assets.GROUPS['kernel'] + assets.GROUPS['learner']:
        assert name in lite_build.preloaded()


def test_lessons_link_to_the_browser_course():
    for stage in course.STAGES:
        title = cells.source(read(lesson_path(stage.id)).cells[0])
        url = f'{course.SITE_URL}lite/notebooks/index.html?path={stage.id}/{stage.id}.ipynb'
        assert f'[open this lesson in JupyterLite]({url})' in title
        assert given.browser_paragraph(stage.id) in title
        if stage.not_in_browser:             # what needs a local install, at the top
            assert stage.not_in_browser in title
    assert course.stage('08-training').not_in_browser, 'numpy has no Pyodide wheel here'


def test_a_missing_dependency_names_the_pin_to_add(tmp_path):
    """lock() refuses a wheel whose Requires-Dist (as inside Pyodide) is not served."""
    wheel = tmp_path / 'needy-1.0-py3-none-any.whl'
    import zipfile
    with zipfile.ZipFile(wheel, 'w') as archive:
        archive.writestr('needy/__init__.py', '')
        archive.writestr('needy-1.0.dist-info/METADATA',
                         'Metadata-Version: 2.1\nName: needy\nVersion: 1.0\n'
                         'Requires-Dist: absent-package>=1\n'
                         'Requires-Dist: pexpect; sys_platform != "emscripten"\n')
    with pytest.raises(assets.AssetError, match='needy needs absent-package: pin it'):
        assets.lock({'info': {}, 'packages': {}}, [wheel])
    entry = assets.lock_entry(wheel)
    assert entry['depends'] == ['absent-package'] and entry['imports'] == ['needy']


# -- the built deployment ------------------------------------------------------------------

@pytest.fixture(scope='module')
def lite(site):
    return site / course.LITE


@pytest.mark.slow
def test_every_served_wheel_is_in_the_lock_and_the_index(lite):
    index = json.loads((lite / 'assets' / 'index.json').read_text())
    lock = json.loads((lite / 'assets' / index['pyodide']['lock']).read_text())
    assert index['pyodide']['version'] == assets.PYODIDE.version
    assert lock['info']['python'].startswith('3.14')
    assert set(index['wheels']) == set(lock['packages'])
    for name, wheel in index['wheels'].items():
        path = lite / 'assets' / wheel['file']
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == wheel['sha256'] == lock['packages'][name]['sha256'], name
        assert lock['packages'][name]['file_name'] == path.name
        for dependency in lock['packages'][name]['depends']:
            assert dependency in lock['packages'], f'{name} needs {dependency}'
    pinned = {assets.canonicalize_name(n): v for n, v in assets.WHEELS.items()}
    assert {n: index['wheels'][n]['version'] for n in pinned} == pinned
    for group in index['groups'].values():
        assert set(group) <= set(lock['packages'])
    for key in ('mjs', 'js', 'lock'):
        assert (lite / 'assets' / index['pyodide'][key]).is_file()
    assert (lite / 'assets' / index['viz']['module']).is_file()
    served = {p.name for p in (lite / 'assets' / 'pyodide').glob('*.whl')}
    assert served == {Path(w['file']).name for w in index['wheels'].values()}


@pytest.mark.slow
def test_the_kernel_is_imported_off_the_drive(lite):
    """Every worker bundle of the kernel imports pyodide_kernel from Pyodide's home, then
    goes back to the drive; none does it the shipped way (the browser tests see the lesson's
    folder as the kernel's working directory)."""
    bundles = list(lite.glob(lite_build.KERNEL_BUNDLES))
    with_kernel = [b for b in bundles if 'import pyodide_kernel' in b.read_text(encoding='utf-8')]
    assert with_kernel
    for bundle in with_kernel:
        text = bundle.read_text(encoding='utf-8')
        assert lite_build.KERNEL_IMPORT not in text, bundle
        assert lite_build.KERNEL_IMPORT_OFF_DRIVE in text, bundle


def test_a_changed_kernel_bundle_stops_the_build(tmp_path):
    folder = tmp_path / Path(lite_build.KERNEL_BUNDLES).parent
    folder.mkdir(parents=True)
    (folder / 'worker.js').write_text('s.push("import pyodide_kernel as k")')
    with pytest.raises(lite_build.assets.AssetError, match='changed'):
        lite_build.import_kernel_off_drive(tmp_path)
    (folder / 'worker.js').write_text('a;s.push("import pyodide_kernel");b')
    assert lite_build.import_kernel_off_drive(tmp_path) == [folder / 'worker.js']
    assert (folder / 'worker.js').read_text() == f'a;s.{lite_build.KERNEL_IMPORT_OFF_DRIVE};b'


@pytest.mark.slow
def test_the_deployment_names_no_other_host(lite):
    config = json.loads((lite / 'jupyter-lite.json').read_text())['jupyter-config-data']
    kernel = config['litePluginSettings'][lite_build.KERNEL_PLUGIN]
    assert (lite / kernel['pyodideUrl']).is_file()
    assert not re.search(r'https?://', json.dumps(kernel)), kernel
    for stage in course.STAGE_IDS:
        assert (lite / 'files' / stage / f'{stage}.ipynb').is_file()


def sentence(text):
    return text[:1].upper() + text[1:]


@pytest.mark.slow
def test_each_chapter_links_to_its_lesson(site):
    for stage in course.STAGES:
        page = site / 'chapters' / stage.id / 'index.html'
        links = re.findall(r'<p class="lite-link"><a href="([^"]+)"', page.read_text())
        assert len(links) == 1, stage.id
        target = urljoin(f'http://x/chapters/{stage.id}/', links[0])
        assert target == f'http://x/{stage.lite_path}'
        path = target.removeprefix('http://x/').split('?')[0]
        assert (site / path).is_file()
        limits = re.search(r'</h1>\s*<div class="admonition note lite-link-limits">'
                           r'<p class="admonition-title">In the browser course</p><p>([^<]*)',
                           page.read_text())
        if stage.not_in_browser:
            assert limits and limits.group(1) == sentence(stage.not_in_browser)
        else:
            assert not limits


# -- a lesson in a real browser ---------------------------------------------------------

def jupyterlab_run(path, tmp_path):
    """{grade_id: (stream text, [(ename, evalue)])} of the test cells, run in JupyterLab's
    kernel (ipykernel), one by one as a learner would (errors do not stop the run)."""
    nb = execute(read(path), tmp_path, allow_errors=True)
    return {cells.grade_id(cell): (text_output(cell), errors(cell)) for cell in nb.cells
            if cells.kind(cell) == 'test'}


def browser_run(server, profile, notebook, served_as):
    """Open the lesson from its chapter's link, serving `notebook` as its file; run every
    code cell. ({grade_id: output}, the page's requests to other hosts)."""
    stage = course.stage(BROWSER_STAGE)
    nb = read(notebook)
    with browser(profile) as context:
        # JupyterLite fetches the notebook from files/; the solution is served in its place.
        text = nbformat.writes(nb)
        context.route(f'**/lite/files/{served_as}',
                      lambda route: route.fulfill(body=text, content_type='application/json'))
        chapter = context.new_page()
        chapter.goto(server.url + f'chapters/{stage.id}/')
        chapter.click('.lite-link a')          # a plain link: instant navigation lets it go
        chapter.wait_for_url('**/lite/notebooks/**')
        wait_for_kernel(chapter)
        code = [cell for cell in nb.cells if cell.cell_type == 'code']
        outputs = run_code_cells(chapter, len(code))
        assert len(outputs) == len(code)
        return [(cell, out) for cell, out in zip(code, outputs)], list(context.outside)


@pytest.fixture(scope='module')
def served(site):
    with Server(site) as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize('which', ['solution', 'untouched lesson'])
def test_a_lesson_runs_in_the_browser_as_in_jupyterlab(which, served, tmp_path):
    stage = course.stage(BROWSER_STAGE)
    notebook = source_path(stage.id) if which == 'solution' else lesson_path(stage.id)
    if which == 'solution':
        # The hidden cell runs the suite in the kernel: the browser's hidden check is a
        # worker of its own, not this cell; the rest of the solution runs as it is.
        nb = read(notebook)
        nb.cells = [c for c in nb.cells if cells.kind(c) != 'hidden']
        notebook = tmp_path / notebook.name
        nbformat.write(nb, notebook)
    expected = jupyterlab_run(notebook, tmp_path)
    assert expected
    ran, outside = browser_run(served, tmp_path / 'profile', notebook,
                               f'{stage.id}/{stage.id}.ipynb')
    assert outside == [], f'requests left 127.0.0.1: {outside}'
    found = {cells.grade_id(cell): out for cell, out in ran}
    for grade_id, (stream, raised) in expected.items():
        shown = found[grade_id]
        if which == 'solution':
            assert not raised and '✓' in stream
            assert stream.strip() in shown['text'] and not shown['error'], (grade_id, shown)
        else:
            assert raised, f'{grade_id} passes on the untouched lesson'
            assert shown['error'], (grade_id, shown)
            for ename, evalue in raised:
                assert ename in shown['text'] and evalue in shown['text'], (grade_id, shown)
    drawings = [out for cell, out in ran if 'show(draw_dot' in cell.source]
    assert drawings
    if which == 'solution':           # graphviz in WebAssembly drew every graph as SVG
        assert all(out['svg'] and not out['error'] for out in drawings), drawings
