"""Graphviz drawings in the browser course (Pyodide), where no `dot` program can run.

Pyodide cannot start processes, so graphviz's own rendering (`Digraph.pipe`) fails there.
render_svg() lays the drawing out with @viz-js/viz instead, graphviz compiled to
WebAssembly, which the browser course serves beside Pyodide (lite/assets.py:
pyodide/viz.js). Waiting for it inside a plain function needs the browser's WebAssembly
stack switching (JSPI: Chrome and Edge 137 and later).
"""

VIZ_MODULE = 'viz.js'        # beside pyodide.mjs
_viz = []                    # the viz instance, made once per kernel


class Unavailable(RuntimeError):
    """This browser cannot wait for WebAssembly inside Python."""


def render_svg(source):
    """The SVG text of a DOT source, laid out by graphviz in WebAssembly."""
    import pyodide_js
    from pyodide.code import run_js
    from pyodide.ffi import can_run_sync, run_sync, to_js

    if not can_run_sync():
        raise Unavailable('this browser cannot run graphviz inside Python (it lacks '
                          'WebAssembly stack switching): open the lesson in Chrome or Edge, '
                          'or read the graph as text with print(drawing.source)')
    if not _viz:
        # The folder Pyodide was loaded from (its indexURL); no public API names it.
        url = pyodide_js._api.config.indexURL + VIZ_MODULE
        module = run_sync(run_js(f'import({url!r})'))
        _viz.append(run_sync(module.instance()))
    options = to_js({'format': 'svg'}, dict_converter=run_js('Object.fromEntries'))
    return _viz[0].renderString(source, options)
