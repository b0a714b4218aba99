/** The hunting grid's stylesheet is the shared toolkit's (src/webview-ui/toolkit/theme.ts). */
export { GRID_CSS as RESULTS_CSS, ROW_HEIGHT } from '../toolkit/theme';
