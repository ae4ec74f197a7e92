"""The browser course: lessons/ as a JupyterLite site, with Pyodide served from it.

    python -m lite.build OUT        # OUT/index.html ... (mkdocs builds it into site/lite/)

The site's mkdocs hook (docs/hooks/lite.py) calls build() on every `mkdocs build`. It runs
`jupyter lite build` (jupyterlite-core with the Pyodide kernel, pinned in pyproject.toml's
`lite` extra) with lessons/ as its contents, then lays lite/assets.py's assets under
OUT/assets/, and points the kernel at them: Pyodide from OUT/assets/pyodide/pyodide.mjs, no
PyPI fallback, and the kernel's own packages and the learner's (micrograd-course, graphviz)
preloaded with Pyodide from its lock. Nothing is fetched at run time from any other host.

What the built folder holds, for the pages that use it:

    OUT/notebooks/index.html?path=01-value/01-value.ipynb    a lesson, in Jupyter Notebook
    OUT/tree/index.html                                      the lessons' file browser
    OUT/assets/index.json                                    lite/assets.py's index
    OUT/assets/pyodide/pyodide.mjs                           Pyodide, with its lock and wheels
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import course
from lite import assets

ROOT = assets.ROOT
LESSONS = ROOT / 'lessons'
KERNEL_PLUGIN = '@jupyterlite/pyodide-kernel-extension:kernel'
ASSETS = 'assets'            # OUT/assets/: lite/assets.py's layout
APPS = ('notebooks', 'tree')  # a lesson opens in Jupyter Notebook; tree lists the lessons
# Font Awesome's fonts for browsers without WOFF (IE, old Safari and Android): no browser
# that runs Pyodide's kernel loads them (its CSS lists woff2 first). 2.5 MB not served.
LEGACY_FONTS = ('build/fa-*.eot', 'build/fa-*.svg', 'build/fa-*.ttf')
# The kernel's worker imports pyodide_kernel (IPython, ipykernel and their 120-odd modules)
# with the drive, JupyterLite's contents, as its working directory: sys.path[0] is '', so
# every import stats the drive, each a synchronous request to the page (about 17 ms each,
# 2 s of a lesson's first start). The same import from Pyodide's in-memory home, then back.
KERNEL_BUNDLES = 'extensions/@jupyterlite/pyodide-kernel-extension/static/*.js'
KERNEL_IMPORT = 'push("import pyodide_kernel")'
KERNEL_IMPORT_OFF_DRIVE = ('push("import os","_drive = os.getcwd()",'
                           '"os.chdir(os.path.expanduser(\'~\'))","try:",'
                           '"    import pyodide_kernel","finally:","    os.chdir(_drive)",'
                           '"del _drive")')


def lesson_path(stage_id):
    """A lesson's address relative to the deployment's root (OUT/), from the manifest."""
    return course.stage(stage_id).lite_path.removeprefix(course.LITE)


def preloaded():
    """The packages loaded with Pyodide when the kernel starts: the kernel's, the learner's."""
    return list(dict.fromkeys(assets.GROUPS['kernel'] + assets.GROUPS['learner']))


def lite_config(output, cache):
    """jupyter_lite_config.json: what `jupyter lite build` puts in the site."""
    return {'LiteBuildConfig': {
        'contents': [str(LESSONS)],
        'output_dir': str(output),
        'apps': list(APPS),
        # Only the Pyodide kernel's extension, not whatever JupyterLab extensions happen to
        # be installed in this environment (nbgrader's, widgets').
        'ignore_sys_prefix': True,
        'federated_extensions': [str(assets.pypi_wheel(*assets.KERNEL_EXTENSION, cache))],
        'no_sourcemaps': True,
        'no_unused_shared_packages': True,
    }}


def kernel_settings():
    """jupyter-lite.json: the kernel loads Pyodide and every package from this site."""
    return {'jupyter-lite-schema-version': 0, 'jupyter-config-data': {
        'litePluginSettings': {KERNEL_PLUGIN: {
            'pyodideUrl': f'./{ASSETS}/pyodide/pyodide.mjs',
            'disablePyPIFallback': True,
            'loadPyodideOptions': {'packages': preloaded()},
        }},
    }}


def import_kernel_off_drive(output):
    """Patch the kernel's worker bundles (KERNEL_IMPORT); the bundles patched."""
    patched = []
    for bundle in sorted(Path(output).glob(KERNEL_BUNDLES)):
        text = bundle.read_text(encoding='utf-8')
        if KERNEL_IMPORT in text:
            bundle.write_text(text.replace(KERNEL_IMPORT, KERNEL_IMPORT_OFF_DRIVE),
                              encoding='utf-8')
            patched.append(bundle)
    if not patched:
        raise assets.AssetError(f'no kernel bundle in {output} holds {KERNEL_IMPORT}: '
                                f'{assets.KERNEL_EXTENSION} changed, see lite/build.py')
    return patched


def build(output, cache=assets.CACHE, tuned=True):
    """Build the deployment into output (emptied first); returns assets' index.

    tuned=False builds the kernel as it ships (benchmarks/lite.py's baseline): its wheels
    as PyPI has them, not precompiled, and its worker not patched."""
    output = Path(output)
    shutil.rmtree(output, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix='lite-') as lite_dir:
        lite_dir = Path(lite_dir)
        (lite_dir / 'jupyter_lite_config.json').write_text(
            json.dumps(lite_config(output, cache), indent=1))
        (lite_dir / 'jupyter-lite.json').write_text(json.dumps(kernel_settings(), indent=1))
        done = subprocess.run([sys.executable, '-m', 'jupyterlite_core', 'build'],
                              cwd=lite_dir, capture_output=True, text=True)
        if done.returncode:
            raise assets.AssetError(f'jupyter lite build failed:\n{done.stdout[-3000:]}'
                                    f'{done.stderr[-3000:]}')
    for pattern in LEGACY_FONTS:
        for path in output.glob(pattern):
            path.unlink()
    if tuned:
        import_kernel_off_drive(output)
    return assets.build(output / ASSETS, cache, precompile=tuned)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m lite.build',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('output', type=Path, help='the folder to build into (emptied first)')
    parser.add_argument('--as-shipped', action='store_true',
                        help="serve the kernel as it ships: its wheels as PyPI has them, not "
                             "precompiled, and its worker unpatched (benchmarks/lite.py's "
                             "baseline)")
    args = parser.parse_args(argv)
    try:
        build(args.output, tuned=not args.as_shipped)
    except assets.AssetError as error:
        parser.exit(1, f'error: {error}\n')
    size = sum(p.stat().st_size for p in args.output.rglob('*') if p.is_file())
    print(f'{args.output}: the lessons in JupyterLite, {size / 1e6:.1f} MB; '
          f'open {args.output / lesson_path("01-value")}')


if __name__ == '__main__':
    main()
