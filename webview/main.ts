/** Webview entry: one bundle for both views; the host says which in `data-view`. */
import { startCompaction } from './compaction.js';
import { startInspector } from './inspector/app.js';

const root = document.getElementById('app')!;
if (document.body.dataset.view === 'compaction') startCompaction(root);
else startInspector(root);
