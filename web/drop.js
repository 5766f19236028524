// drop.js: files dropped anywhere on the page. While files are dragged over the window an
// overlay says what a drop does; a dropped pairs file (.tsv, .txt, .tab) goes to onPairs, any
// other file to onModel (which says what is wrong if it is not a model). Only the first file of
// a drop is used. The page decides what happens to them.

/** Whether a file name looks like a pairs file rather than a model file. */
export function isPairsFileName(name) {
  return /\.(tsv|txt|tab)$/i.test(name);
}

/**
 * Listens for dropped files on the window.
 * @param {{ overlay: HTMLElement, onPairs: (file: File) => void, onModel: (file: File) => void }} o
 */
export function setupDrop({ overlay, onPairs, onModel }) {
  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const file = e.dataTransfer.files[0];
    if (!file) return;
    if (isPairsFileName(file.name)) onPairs(file);
    else onModel(file);
  });
}
