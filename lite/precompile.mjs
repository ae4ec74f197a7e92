// node lite/precompile.mjs PYODIDE_DIR IN_DIR OUT_DIR
// Rewrites every wheel of IN_DIR into OUT_DIR with each module compiled to bytecode by Pyodide's
// own Python (the browser's interpreter version), the .pyc in place of the .py, as Pyodide's
// own distribution ships its packages: the kernel then imports IPython without compiling it.
import { pathToFileURL } from 'node:url';

const [pyodideDir, inDir, outDir] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/` });
const { FS } = pyodide;
for (const [folder, mount] of [[inDir, '/in'], [outDir, '/out']]) {
  FS.mkdirTree(mount);
  FS.mount(FS.filesystems.NODEFS, { root: folder }, mount);
}
pyodide.runPython(`
import importlib._bootstrap_external as bootstrap
import os
import zipfile

for name in sorted(os.listdir('/in')):
    with zipfile.ZipFile(f'/in/{name}') as source, \\
            zipfile.ZipFile(f'/out/{name}', 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith('.py') and '.dist-info/' not in info.filename:
                try:
                    code = compile(data, info.filename, 'exec', dont_inherit=True)
                except SyntaxError:      # a template or a test file: keep it as it is
                    pass
                else:
                    info.filename += 'c'
                    data = bootstrap._code_to_timestamp_pyc(code)
            target.writestr(info, data)
`);
