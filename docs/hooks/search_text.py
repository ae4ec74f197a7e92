"""MkDocs hook: search results show formulas as text, not as LaTeX source.

The search plugin indexes the page text with the math still in its LaTeX source
(`\\(0\\)`, `\\[ p \\leftarrow p - \\eta \\dots \\]`), which KaTeX typesets on the page but
the search box shows as typed. After the build, this rewrites the index's text with the
delimiters dropped and the common commands turned into the characters they stand for.
"""

import json
import re
from pathlib import Path

SYMBOLS = {
    'leftarrow': '←', 'rightarrow': '→', 'to': '→', 'cdot': '·', 'times': '×', 'partial': '∂',
    'sum': 'Σ', 'prod': 'Π', 'eta': 'η', 'alpha': 'α', 'lambda': 'λ', 'sigma': 'σ',
    'infty': '∞', 'approx': '≈', 'neq': '≠', 'leq': '≤', 'geq': '≥', 'le': '≤', 'ge': '≥',
    'in': '∈', 'ldots': '…', 'dots': '…', 'cdots': '⋯', 'quad': ' ', 'qquad': ' ',
}
MATH = re.compile(r'\\\((.*?)\\\)|\\\[(.*?)\\\]|\$\$(.*?)\$\$', re.S)
FRACTION = re.compile(r'\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}')
WRAPPER = re.compile(r'\\(?:text|mathrm|mathbf|operatorname|boldsymbol|tfrac)\s*\{([^{}]*)\}')
COMMAND = re.compile(r'\\([A-Za-z]+)')


def plain(latex):
    """A formula's LaTeX as readable text: \\frac{a}{b} -> a/b, \\cdot -> ·, braces gone."""
    text = latex
    for _ in range(3):                    # nested fractions and wrappers, inside out
        text = WRAPPER.sub(r'\1', FRACTION.sub(r'(\1)/(\2)', text))
    text = COMMAND.sub(lambda m: SYMBOLS.get(m.group(1), m.group(1)), text)
    text = re.sub(r'\\[,;:! ]|&|\\\\', ' ', text).replace('{', '').replace('}', '')
    return re.sub(r'\s+', ' ', text).strip()


def without_latex(text):
    return MATH.sub(lambda m: plain(next(g for g in m.groups() if g is not None)), text)


def on_post_build(config):
    index = Path(config['site_dir']) / 'search' / 'search_index.json'
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding='utf-8'))
    for doc in data['docs']:
        doc['text'] = without_latex(doc['text'])
        doc['title'] = without_latex(doc['title'])
    index.write_text(json.dumps(data, ensure_ascii=False), encoding='utf-8')
