"""The HTML kit shared by the feedback pages and the class report: one stylesheet, one page.

Plain strings, no template engine: `page(title, body)` wraps a body in a complete,
self-contained document, `escape` makes any text safe to put in it and `inline_svg`
turns an SVG file (a matplotlib or graphviz figure) into an element of the page.
"""

import html
import re

CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
.score { font-size: 1.4rem; }
.status { padding: .8rem 1rem; background: #fff4e0; border-left: 4px solid #e69500; }
.diagnosis { padding: .2rem 1rem; background: #eef4ff; border-left: 4px solid #3b6fd8; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem;
         border-bottom: 1px solid #ddd; }
.pass { color: #1a7f37; font-weight: bold; }
.fail { color: #c62828; font-weight: bold; }
.feedback { white-space: pre-wrap; }
figure { margin: .6rem 0 1.4rem 0; overflow-x: auto; }
figcaption { color: #555; font-size: .9rem; }
section { border-top: 1px solid #ddd; }
"""


def page(title, body):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n'
            f'</body></html>\n')


def inline_svg(svg):
    """An SVG document as an element to put inside HTML: no XML prolog, no scripts."""
    start = svg.find('<svg')
    svg = svg[start:] if start >= 0 else ''
    return re.sub(r'<script\b.*?</script\s*>', '', svg, flags=re.S | re.I)


def escape(text):
    return html.escape(str(text))
