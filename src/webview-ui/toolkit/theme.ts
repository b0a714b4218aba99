/**
 * The toolkit's stylesheets: theme colours from VS Code's --vscode-* variables only, inlined with a CSP nonce.
 * THEME_CSS is what every panel shares (page, toolbar, buttons, notices, messages); GRID_CSS adds the grid.
 */
export const ROW_HEIGHT = 22;

export const THEME_CSS = `
:root { --row-h: ${ROW_HEIGHT}px; }
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; padding: 0; }
body {
  color: var(--vscode-foreground);
  background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size);
  overflow: hidden;
}
#app { display: flex; flex-direction: column; height: 100vh; }
.toolbar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px;
  padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent);
}
.toolbar .title { display: flex; flex-direction: column; min-width: 160px; flex: 1 1 220px; overflow: hidden; }
.toolbar .title .query { font-family: var(--vscode-editor-font-family); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.toolbar .title .meta { color: var(--vscode-descriptionForeground); font-size: 0.9em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#filter {
  flex: 1 1 240px; min-width: 160px; padding: 3px 6px;
  color: var(--vscode-input-foreground); background: var(--vscode-input-background);
  border: 1px solid var(--vscode-input-border, transparent); border-radius: 2px; outline: none;
}
#filter:focus { border-color: var(--vscode-focusBorder); }
#filter.problem { border-color: var(--vscode-inputValidation-warningBorder); }
#count { color: var(--vscode-descriptionForeground); white-space: nowrap; min-width: 110px; }
button {
  color: var(--vscode-button-secondaryForeground, var(--vscode-button-foreground));
  background: var(--vscode-button-secondaryBackground, var(--vscode-button-background));
  border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px;
  padding: 3px 10px; cursor: pointer; font: inherit;
}
button:hover { background: var(--vscode-button-secondaryHoverBackground, var(--vscode-button-hoverBackground)); }
button.primary { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
button.primary:hover { background: var(--vscode-button-hoverBackground); }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
#notices:empty { display: none; }
.notice { padding: 4px 10px; border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, var(--vscode-focusBorder)); margin: 4px 8px; }
.notice.warning { border-left-color: var(--vscode-notificationsWarningIcon-foreground, orange); background: var(--vscode-inputValidation-warningBackground, transparent); }
.notice.error { border-left-color: var(--vscode-notificationsErrorIcon-foreground, red); background: var(--vscode-inputValidation-errorBackground, transparent); }
#message { padding: 16px; }
#message h2 { font-size: 1.1em; margin: 0 0 8px; }
#message p { margin: 4px 0; }
#message .detail { color: var(--vscode-descriptionForeground); }
#message.error h2 { color: var(--vscode-errorForeground); }
.spinner { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border: 2px solid var(--vscode-progressBar-background); border-right-color: transparent; border-radius: 50%; animation: spin 0.8s linear infinite; vertical-align: -2px; }
@keyframes spin { to { transform: rotate(360deg); } }
.hidden { display: none !important; }
`;

export const GRID_CSS = `${THEME_CSS}
#grid {
  position: relative; flex: 1 1 auto; overflow: auto; outline: none;
  font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size);
}
#grid:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.grid-header {
  position: sticky; top: 0; z-index: 2; display: grid; grid-template-columns: var(--cols);
  background: var(--vscode-editorGroupHeader-tabsBackground, var(--vscode-editor-background));
  border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-editorGroup-border));
  width: max-content; min-width: 100%;
}
.grid-body { position: relative; width: max-content; min-width: 100%; }
.row {
  position: absolute; left: 0; top: 0; height: var(--row-h); display: grid; grid-template-columns: var(--cols);
  width: max-content; min-width: 100%; cursor: default;
}
.row.odd { background: var(--vscode-editorWidget-background, transparent); }
.row:hover { background: var(--vscode-list-hoverBackground); }
.row.selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.row.focused { outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder)); outline-offset: -1px; }
.cell, .colhead {
  height: var(--row-h); line-height: var(--row-h); padding: 0 6px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
  border-right: 1px solid var(--vscode-editorGroup-border, transparent);
}
.colhead { position: relative; font-weight: 600; cursor: pointer; user-select: none; font-family: var(--vscode-font-family); }
.colhead:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
/* High-contrast themes draw selection with borders, not fills: follow them. */
body.vscode-high-contrast .row.selected, body.vscode-high-contrast-light .row.selected { outline: 1px dashed var(--vscode-contrastActiveBorder, var(--vscode-focusBorder)); outline-offset: -1px; }
body.vscode-high-contrast .row:hover, body.vscode-high-contrast-light .row:hover { outline: 1px dotted var(--vscode-contrastActiveBorder, var(--vscode-focusBorder)); outline-offset: -1px; }
.colhead .type { font-weight: normal; color: var(--vscode-descriptionForeground); margin-left: 6px; font-size: 0.85em; }
.colhead .sort { margin-left: 4px; }
.colhead .resize { position: absolute; right: -3px; top: 0; width: 6px; height: 100%; cursor: col-resize; z-index: 3; }
.rownum, .colhead.rownum { color: var(--vscode-editorLineNumber-foreground); text-align: right; cursor: default; }
.cell.number, .cell.bool { text-align: right; font-variant-numeric: tabular-nums; }
.cell.null::after { content: ''; }
.cell.dynamic { color: var(--vscode-debugTokenExpression-string, inherit); }
`;
