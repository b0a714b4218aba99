import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { CommandIds, SettingIds } from '../../src/constants';
import type { KqlServerStatus } from '../../src/kql/protocol';
import { activateExtension, waitFor } from './helpers';
import { makeTempDir } from '../support/tempDirs';

/** A .kql file on disk (the language server sees it as a `file:` document, like a user's). */
async function openKqlFile(content: string): Promise<vscode.TextDocument> {
  const file = path.join(makeTempDir('dtm-kql-'), 'query.kql');
  fs.writeFileSync(file, content);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  return doc;
}

const positionOf = (doc: vscode.TextDocument, needle: string, delta = 0) => doc.positionAt(doc.getText().indexOf(needle) + delta);

async function completionLabels(doc: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

describe('KQL language server (integration)', function () {
  // The first start loads Kusto in the server process; CI machines can be slow.
  this.timeout(120_000);

  const query = [
    'DeviceEvents',
    '| where TimeGenerated > ago(1h)',
    '| where ActionType == "AntivirusTroubleshootModeEvent"',
    '| project Timestamp, DeviceName',
    '',
    'AADSignInEventsBeta | take 10',
  ].join('\n');
  let doc: vscode.TextDocument;
  // How long the extension host's event loop was held up while the server worked (a number for the log; KQL
  // work runs in the server process, so this should stay small).
  const hostDelay = monitorEventLoopDelay({ resolution: 10 });

  before(async () => {
    await activateExtension();
    hostDelay.enable();
    doc = await openKqlFile(query);
  });

  after(async () => {
    hostDelay.disable();
    console.log(`extension host event loop delay during the KQL tests: p99 ${(hostDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(hostDelay.max / 1e6).toFixed(1)} ms`);
    await vscode.workspace.getConfiguration().update(SettingIds.kqlDiagnosticsEnabled, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('publishes diagnostics for an opened .kql file, per block, with the Defender explanations', async () => {
    const diagnostics = await waitFor(() => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length >= 2 ? d : undefined;
    }, 'diagnostics for TimeGenerated and AADSignInEventsBeta', 90_000);
    const timeGenerated = diagnostics.find((d) => doc.getText(d.range) === 'TimeGenerated');
    assert.ok(timeGenerated, `no diagnostic on TimeGenerated: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
    assert.strictEqual(timeGenerated.severity, vscode.DiagnosticSeverity.Error);
    assert.match(timeGenerated.message, /Timestamp/);
    const deprecated = diagnostics.find((d) => doc.getText(d.range) === 'AADSignInEventsBeta');
    assert.ok(deprecated, 'the deprecated table is flagged');
    assert.ok(deprecated.tags?.includes(vscode.DiagnosticTag.Deprecated));
  });

  it('completes the columns of a Defender table and, at a new block, the tables', async () => {
    const columns = await completionLabels(doc, positionOf(doc, 'ActionType'));
    for (const c of ['ActionType', 'DeviceId', 'AdditionalFields', 'InitiatingProcessFileName']) assert.ok(columns.includes(c), `column ${c} missing`);
    const tables = await completionLabels(doc, new vscode.Position(5, 0));
    for (const t of ['DeviceEvents', 'DeviceProcessEvents', 'EntraIdSignInEvents']) assert.ok(tables.includes(t), `table ${t} missing`);
  });

  it('inserts a troubleshooting snippet that the server finds clean', async () => {
    // Start from an error, so that an empty problem list afterwards is the server's verdict on the snippet.
    const target = await openKqlFile('NoSuchTable');
    const editor = await vscode.window.showTextDocument(target);
    await waitFor(() => vscode.languages.getDiagnostics(target.uri).length > 0, 'a diagnostic for NoSuchTable', 60_000);
    editor.selection = new vscode.Selection(0, 0, 0, 'NoSuchTable'.length);
    await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'kql', name: 'Troubleshooting mode: devices in troubleshooting mode now' });
    await waitFor(() => target.getText().includes('ago(4h + 15m)'), 'the snippet text in the editor');
    assert.match(target.getText(), /AntivirusTroubleshootModeEvent/);
    await waitFor(() => vscode.languages.getDiagnostics(target.uri).length === 0, 'no problems in the snippet');
    await vscode.window.showTextDocument(doc);
  });

  it('shows column types on hover', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'DeviceName', 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /DeviceName: string/);
  });

  it('offers the quick fixes for TimeGenerated and the deprecated table', async () => {
    const fixes = async (word: string) => {
      const start = positionOf(doc, word);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        new vscode.Range(start, start.translate(0, word.length)),
        vscode.CodeActionKind.QuickFix.value,
      );
      return actions.map((a) => a.title);
    };
    assert.ok((await fixes('TimeGenerated')).includes("Change to 'Timestamp'"));
    assert.ok((await fixes('AADSignInEventsBeta')).includes("Change to 'EntraIdSignInEvents'"));
  });

  it('formats a query block', async () => {
    const messy = await openKqlFile('DeviceInfo|where   OSPlatform=="Windows11"|take 5');
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', messy.uri, { tabSize: 4, insertSpaces: true });
    assert.ok(edits.length > 0, 'formatting edits');
    const edit = new vscode.WorkspaceEdit();
    edit.set(messy.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.strictEqual(messy.getText(), 'DeviceInfo | where OSPlatform == "Windows11" | take 5');
    await vscode.window.showTextDocument(doc);
  });

  it('classifies tables and columns as semantic tokens', async () => {
    const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend>('vscode.provideDocumentSemanticTokensLegend', doc.uri);
    assert.ok(legend, 'a semantic token legend');
    assert.deepStrictEqual([...legend.tokenTypes].slice(0, 3), ['class', 'property', 'function']);
    const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens>('vscode.provideDocumentSemanticTokens', doc.uri);
    assert.ok(tokens && tokens.data.length >= 5 * 3, 'tokens for DeviceEvents, its columns and ago()');
    // The first token is DeviceEvents on line 0, a table.
    assert.deepStrictEqual([...tokens.data.slice(0, 4)], [0, 0, 'DeviceEvents'.length, 0]);
  });

  it('clears the diagnostics when they are turned off, and brings them back', async () => {
    await vscode.workspace.getConfiguration().update(SettingIds.kqlDiagnosticsEnabled, false, vscode.ConfigurationTarget.Global);
    await waitFor(() => vscode.languages.getDiagnostics(doc.uri).length === 0, 'diagnostics cleared');
    await vscode.workspace.getConfiguration().update(SettingIds.kqlDiagnosticsEnabled, undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => vscode.languages.getDiagnostics(doc.uri).length >= 2, 'diagnostics back');
  });

  it('restarts the server on demand and answers again', async () => {
    const status = await vscode.commands.executeCommand<KqlServerStatus>(CommandIds.kqlRestartServer);
    assert.ok(status, 'the restart command returns the server status');
    assert.strictEqual(status.schema.tables >= 62, true);
    const columns = await waitFor(async () => {
      const labels = await completionLabels(doc, positionOf(doc, 'ActionType'));
      return labels.includes('ActionType') ? labels : undefined;
    }, 'completion after the restart', 60_000);
    assert.ok(columns.length > 10);
  });

  it('never loads Kusto into the extension host', () => {
    assert.strictEqual((globalThis as { Kusto?: unknown }).Kusto, undefined);
    const loaded = Object.keys(require.cache).filter((k) => /language-service-next|kqlServer/.test(k));
    assert.deepStrictEqual(loaded, []);
  });
});

// The signed-in refresh (consent dialog, getschema union, diagnostics updated) runs end to end: test/e2e/kqlSchema.test.ts.
describe('KQL schema refresh, signed out (integration)', function () {
  this.timeout(60_000);
  const emulator = process.env.DTM_API_EMULATOR_URL;
  const useEmulator = !!emulator && !emulator.endsWith(':9');

  async function huntingRequestCount(): Promise<number> {
    const body = (await (await fetch(`${emulator}/__admin/requests`)).json()) as { requests: { path: string }[] };
    return body.requests.filter((r) => r.path.endsWith('/security/runHuntingQuery')).length;
  }

  it('asks to sign in, without a prompt, and sends nothing to the API', async () => {
    const api = await activateExtension();
    await api.auth.refreshSilently();
    // The test profile never allowed the extension to use the (test) account: VS Code refuses that consent here.
    assert.strictEqual(api.auth.isSignedIn, false, 'precondition: signed out');
    const sentBefore = useEmulator ? await huntingRequestCount() : 0;
    const logged: string[] = [];
    const error = api.log.error;
    api.log.error = (message: string | Error) => {
      logged.push(String(message));
      error.call(api.log, message);
    };
    try {
      const started = Date.now();
      assert.strictEqual(await vscode.commands.executeCommand(CommandIds.kqlRefreshSchema), undefined);
      assert.ok(Date.now() - started < 5000, 'the command returns at once instead of waiting on a sign-in prompt');
      const message = await waitFor(() => logged.find((m) => m.includes(`[${CommandIds.kqlRefreshSchema}]`)), 'the refresh error in the log');
      assert.match(message, /Sign in to Microsoft to read the advanced hunting schema of your tenant/);
    } finally {
      api.log.error = error;
    }
    assert.strictEqual(api.auth.isSignedIn, false);
    if (useEmulator) assert.strictEqual(await huntingRequestCount(), sentBefore, 'no query reached the API');
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
