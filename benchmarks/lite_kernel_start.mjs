// node benchmarks/lite_kernel_start.mjs SITE/lite/assets/pyodide
// The browser kernel's start replayed in Pyodide under node, phase by phase: Pyodide's boot,
// the preloaded packages (lite/build.py's preloaded()), then the imports of IPython's heavy
// parts and of the kernel. Each import is timed after the ones before it (what it adds).
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const start = performance.now();
const lap = (what) => console.log(`${what}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
const { loadPyodide } = await import(pathToFileURL(`${dir}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${dir}/` });
lap('loadPyodide');
await pyodide.loadPackage(['micropip', 'piplite', 'ipykernel', 'comm', 'pyodide-kernel', 'jedi',
  'ipython', 'micrograd-course', 'graphviz'], { messageCallback: () => {} });
lap('preloaded packages');
pyodide.runPython(`
import time
for name in ['pygments', 'prompt_toolkit', 'jedi', 'IPython', 'pyodide_kernel']:
    began = time.perf_counter()
    __import__(name)
    print(f'  import {name}: {time.perf_counter() - began:.2f} s')
`);
lap('imports done');
