// The hidden check in the browser: one Web Worker, two Pyodide interpreters.
//
// Started by a lesson's check cell (autograder/in_notebook.py) or a test page, with one
// message {stage, notebook: the saved notebook's JSON text, index?: URL of the assets'
// index.json, default ../index.json beside this file}. It answers with one message:
// {kind: 'report', report: {text, result, figures}, timings} or {kind: 'error', message}.
//
// The learner's interpreter holds only the worker package (autograder/worker/); the judge's
// holds the course's wheel, pytest and hypothesis (the index's "check" group). The judge calls
// the learner's interpreter through one synchronous function, JSON text both ways
// (autograder/browser.py); the learner's interpreter gets no reference to the judge's. A check
// that runs too long is ended by whoever started this worker, by terminating it.

const WORKER_HOME = '/sandbox/home';
const WORKER_CODE = '/sandbox/code';

// Both sides import graphviz from stage 03 on (draw_dot builds a graphviz.Digraph; only
// its source is compared, so no `dot` program is needed).
function withGraphviz(index, names) {
  return index.wheels.graphviz && !names.includes('graphviz') ? [...names, 'graphviz'] : names;
}

async function interpreters(indexURL) {
  const index = await (await fetch(indexURL)).json();
  const base = new URL(index.pyodide.index_url, indexURL).href;
  const { loadPyodide } = await import(new URL(index.pyodide.mjs, indexURL).href);
  const quiet = { batched: () => {} };
  const [judge, learner] = await Promise.all([
    loadPyodide({ indexURL: base, stdout: quiet.batched, stderr: quiet.batched }),
    loadPyodide({ indexURL: base, stdout: quiet.batched, stderr: quiet.batched }),
  ]);
  const learnerPackages = withGraphviz(index, []);
  await Promise.all([
    judge.loadPackage(withGraphviz(index, index.groups.check), { messageCallback: () => {} }),
    learner.loadPackage(learnerPackages, { messageCallback: () => {} }),
  ]);
  return { judge, learner, viz: await drawing(index, indexURL) };
}

// graphviz in WebAssembly (@viz-js/viz), for the pictures of failing graphs; none without it.
async function drawing(index, indexURL) {
  if (!index.viz) return null;
  try {
    return await (await import(new URL(index.viz.module, indexURL).href)).instance();
  } catch (error) {
    return null;
  }
}

function connect(judge, learner, viz) {
  // The worker package, as the judge has it, written into the learner's file system.
  const files = JSON.parse(judge.runPython(
    'import json; from autograder import browser; json.dumps(browser.worker_files())'));
  learner.FS.mkdirTree(`${WORKER_CODE}/worker`);
  learner.FS.mkdirTree(WORKER_HOME);
  for (const [name, source] of Object.entries(files)) {
    learner.FS.writeFile(`${WORKER_CODE}/worker/${name}`, source);
  }
  learner.runPython(`import os, sys; sys.path.insert(0, '${WORKER_CODE}'); os.chdir('${WORKER_HOME}')`);
  const side = learner.pyimport('worker.bridge');
  const start = side.start;
  const answer = side.answer;
  // Any JavaScript error here means the learner's interpreter itself failed (os._exit, a
  // crash): the Python side catches everything the learner's code raises.
  const guarded = (fn) => (text) => {
    try {
      return fn(text);
    } catch (error) {
      return JSON.stringify({ died: String(error && error.message || error).slice(0, 300) });
    }
  };
  const render = (dot) => {
    try {
      return viz ? viz.renderString(dot, { format: 'svg' }) : null;
    } catch (error) {
      return null;
    }
  };
  judge.registerJsModule('autograder_bridge', { start: guarded(start), answer: guarded(answer),
                                                render });
}

// Progress kept in the browser: each check's score per stage, in IndexedDB (same origin as
// the site's pages, where docs/assets/progress.js shows it). Nothing is sent anywhere.
const PROGRESS_DB = 'micrograd-course';
const PROGRESS_STORE = 'progress';

function record(result) {
  return new Promise((resolve) => {
    if (!result || typeof indexedDB === 'undefined') return resolve(false);
    const open = indexedDB.open(PROGRESS_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(PROGRESS_STORE);
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      const db = open.result;
      const passing = result.status === 'graded' && result.score === result.max_score;
      const entry = { stage: result.stage, score: result.score, max_score: result.max_score,
                      status: result.status, passing, checked: new Date().toISOString() };
      const transaction = db.transaction(PROGRESS_STORE, 'readwrite');
      transaction.objectStore(PROGRESS_STORE).put(entry, result.stage);
      transaction.oncomplete = () => { db.close(); resolve(true); };
      transaction.onerror = () => { db.close(); resolve(false); };
    };
  });
}

self.onmessage = async ({ data }) => {
  try {
    const t0 = performance.now();
    const indexURL = new URL(data.index || '../index.json', import.meta.url).href;
    const { judge, learner, viz } = await interpreters(indexURL);
    connect(judge, learner, viz);
    const t1 = performance.now();
    judge.globals.set('_stage', data.stage);
    judge.globals.set('_notebook', data.notebook);
    judge.globals.set('_timeout', data.timeout || null);
    const text = judge.runPython(
      'from autograder import browser_check; browser_check.check_json(_stage, _notebook, _timeout)');
    const t2 = performance.now();
    const report = JSON.parse(text);
    await record(report.result);
    self.postMessage({ kind: 'report', report,
                       timings: { load: (t1 - t0) / 1000, check: (t2 - t1) / 1000 } });
  } catch (error) {
    self.postMessage({ kind: 'error', message: String(error && error.message || error) });
  }
};
