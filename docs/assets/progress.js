// Your progress in the browser course, on the lesson index: each stage's last check in the
// browser (lite/check/check-worker.js keeps it in this site's IndexedDB), read here and shown
// beside the stage's chapter link as "not started", "in progress (score)" or "passing".
// Only this browser's storage is read; nothing is sent anywhere.
(function () {
  const DB = 'micrograd-course';
  const STORE = 'progress';
  const CHAPTER = /chapters\/(\d\d-[a-z0-9-]+)\/?(?:index\.html)?$/;

  function entries() {
    return new Promise((resolve) => {
      if (typeof indexedDB === 'undefined') return resolve({});
      const open = indexedDB.open(DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onerror = () => resolve({});
      open.onsuccess = () => {
        const db = open.result;
        const found = {};
        const cursor = db.transaction(STORE, 'readonly').objectStore(STORE).openCursor();
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (at) { found[at.key] = at.value; at.continue(); } else { db.close(); resolve(found); }
        };
        cursor.onerror = () => { db.close(); resolve(found); };
      };
    });
  }

  function label(entry) {
    if (!entry) return ['not started', 'not-started'];
    if (entry.passing) return [`passing (${entry.score}/${entry.max_score})`, 'passing'];
    return [`in progress (${entry.score}/${entry.max_score})`, 'in-progress'];
  }

  async function show() {
    const table = [...document.querySelectorAll('article table')].find(
      (t) => t.querySelector('a[href*="chapters/"]'));
    if (!table || table.dataset.progress) return;
    table.dataset.progress = 'shown';
    const found = await entries();
    const head = table.querySelector('thead tr');
    if (head) head.insertAdjacentHTML('beforeend', '<th>your progress</th>');
    for (const row of table.querySelectorAll('tbody tr')) {
      const link = row.querySelector('a[href*="chapters/"]');
      const match = link && CHAPTER.exec(new URL(link.href).pathname);
      const cell = document.createElement('td');
      if (match) {
        const [text, kind] = label(found[match[1]]);
        cell.textContent = text;
        cell.className = `progress progress-${kind}`;
        cell.dataset.stage = match[1];
      }
      row.appendChild(cell);
    }
  }

  // Material's instant navigation swaps pages without reloading: document$ says when.
  if (typeof document$ !== 'undefined') document$.subscribe(show);
  else document.addEventListener('DOMContentLoaded', show);
})();
