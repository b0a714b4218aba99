/** The hunting results panel's script: the shared toolkit grid (bundled to dist/webview/results.js). */
import '../toolkit/grid';
