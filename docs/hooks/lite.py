"""MkDocs hook: the browser course, built into site/lite/, and each chapter's link to it.

After the pages are built, lite/build.py builds lessons/ as a JupyterLite site into
`<site_dir>/lite/` (Pyodide and every wheel from .cache/lite/, fetched once from the
registries). The deployment lies outside MkDocs' pages, so the link each chapter gets
(at the top of its "Your exercise" section) is added to the rendered HTML, where the
link checker does not look; it is a plain link, which Material's instant navigation
leaves to the browser (it only takes over addresses listed in the sitemap).
"""

import html
import logging
import sys
from pathlib import Path

from mkdocs.utils import get_relative_url

from autograder import course

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))   # the lite package
from lite import build as lite_build  # noqa: E402

log = logging.getLogger('mkdocs.hooks.lite')

EXERCISE_HEADING = '<h2 id="your-exercise">'
LINK_CLASS = 'lite-link'


def sentence(text):
    return text[:1].upper() + text[1:]


def chapter_stage(page):
    name = Path(page.file.src_uri).stem
    return course.BY_ID.get(name) if page.file.src_uri.startswith('chapters/') else None


def on_page_content(content, page, config, files):
    stage = chapter_stage(page)
    if stage is None:
        return content
    if EXERCISE_HEADING not in content:
        raise ValueError(f'{page.file.src_uri}: no "## Your exercise" heading to link from')
    path, _, query = stage.lite_path.partition('?')
    href = html.escape(f'{get_relative_url(path, page.url)}?{query}')
    link = (f'<p class="{LINK_CLASS}"><a href="{href}"><strong>Do this exercise in your '
            f'browser</strong></a>: the lesson opens in JupyterLite, Python running in the page, '
            f'nothing to install (your edits stay in this browser).</p>\n')
    heading_end = content.index('</h2>', content.index(EXERCISE_HEADING)) + len('</h2>')
    content = content[:heading_end] + '\n' + link + content[heading_end:]
    if stage.not_in_browser:           # said at the top, under the title
        note = (f'<div class="admonition note {LINK_CLASS}-limits"><p class="admonition-title">'
                f'In the browser course</p><p>{html.escape(sentence(stage.not_in_browser))}</p>'
                f'</div>\n')
        title_end = content.index('</h1>') + len('</h1>')
        content = content[:title_end] + '\n' + note + content[title_end:]
    return content


def on_post_build(config):
    output = Path(config.site_dir) / course.LITE
    log.info('Building the browser course into %s', output)
    lite_build.build(output)
