import * as assert from 'node:assert';
import * as path from 'node:path';
import { KQL_SERVER_EXEC_ARGV, KqlNotifications, KqlRequests, SEMANTIC_TOKEN_TYPES, type KqlSchemaSummary, type KqlServerStatus } from '../../../src/kql/protocol';
import { LspTestClient } from './lspClient';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The language server from source (tsx), over stdio: the protocol layer without VS Code. */
describe('kql/server (LSP over stdio)', function () {
  this.timeout(120_000);
  let server: LspTestClient;
  let capabilities: Record<string, any>;
  const uri = 'file:///test/q.kql';
  const text = 'DeviceEvents\n| where TimeGenerated > ago(1h) and FileName contains "abcdef"\n| project Timestamp, DeviceName\n\nAADSignInEventsBeta | take 1';

  before(async () => {
    server = new LspTestClient([...KQL_SERVER_EXEC_ARGV, '--import', 'tsx', path.join('src', 'kql', 'server', 'main.ts')], ROOT);
    ({ capabilities } = await server.initialize({ settings: { diagnosticsEnabled: true, analyzersEnabled: true } }));
  });

  after(() => server.stop());

  it('announces its features and the semantic token legend', () => {
    for (const c of ['completionProvider', 'hoverProvider', 'documentFormattingProvider', 'documentRangeFormattingProvider', 'codeActionProvider', 'semanticTokensProvider']) {
      assert.ok(capabilities[c], c);
    }
    assert.deepStrictEqual(capabilities.semanticTokensProvider.legend.tokenTypes, [...SEMANTIC_TOKEN_TYPES]);
    assert.deepStrictEqual(capabilities.semanticTokensProvider.legend.tokenModifiers, ['deprecated']);
  });

  it('publishes errors first, then again with the analyzer hints', async () => {
    const errorsFirst = server.diagnosticsFor((p) => p.uri === uri && p.version === 1);
    const withHints = server.diagnosticsFor((p) => p.uri === uri && p.version === 1 && p.diagnostics.some((d) => d.code === 'KS500'));
    await server.open(uri, text, 1);
    const first = await errorsFirst;
    assert.deepStrictEqual(first.diagnostics.map((d) => d.code), ['KS142', 'DT001']);
    const tg = first.diagnostics[0]!;
    assert.deepStrictEqual(tg.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 21 } });
    assert.strictEqual(tg.severity, 1);
    assert.strictEqual(tg.source, 'Kusto');
    assert.strictEqual(first.diagnostics[1]!.source, 'Defender');
    const all = await withHints;
    assert.deepStrictEqual(all.diagnostics.map((d) => d.code), ['KS142', 'KS500', 'DT001']);
    assert.strictEqual(all.diagnostics[1]!.severity, 4, 'analyzer suggestions are hints');
  });

  it('attaches quick fixes to their diagnostics', async () => {
    const range = { start: { line: 1, character: 8 }, end: { line: 1, character: 21 } };
    const actions = await server.connection.sendRequest<any[]>('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [{ range, code: 'KS142', message: 'x', severity: 1 }] },
    });
    const fix = actions.find((a) => a.title === "Change to 'Timestamp'");
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.strictEqual(fix.kind, 'quickfix');
    assert.strictEqual(fix.isPreferred, true);
    assert.deepStrictEqual(fix.edit.changes[uri], [{ range, newText: 'Timestamp' }]);
    assert.strictEqual(fix.diagnostics[0].code, 'KS142');
    const refactorsOnly = await server.connection.sendRequest<any[]>('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [], only: ['refactor'] },
    });
    assert.ok(refactorsOnly.every((a) => a.kind.startsWith('refactor')));
  });

  it('completes functions as snippets with the caret inside the parentheses', async () => {
    const items = await server.connection.sendRequest<any[]>('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 24 } });
    const ago = items.find((i) => i.label.startsWith('ago'));
    assert.ok(ago);
    assert.strictEqual(ago.insertTextFormat, 2);
    assert.strictEqual(ago.textEdit.newText, 'ago($0)');
    const projected = await server.connection.sendRequest<any[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 10 } });
    const column = projected.find((i) => i.label === 'ActionType');
    assert.strictEqual(column?.kind, 5, 'columns are fields');
    assert.strictEqual(column.detail, 'string');
  });

  it('returns semantic tokens in the legend, marking deprecated tables', async () => {
    const { data } = await server.connection.sendRequest<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const tokens: number[][] = [];
    for (let i = 0; i < data.length; i += 5) tokens.push(data.slice(i, i + 5));
    assert.deepStrictEqual(tokens[0], [0, 0, 12, SEMANTIC_TOKEN_TYPES.indexOf('class'), 0]);
    assert.deepStrictEqual(tokens[tokens.length - 1], [2, 0, 19, SEMANTIC_TOKEN_TYPES.indexOf('class'), 1]);
  });

  it('swaps the schema on request and re-checks open documents', async () => {
    const bundled = await server.connection.sendRequest<{ source: string; tables: { name: string }[] }>(KqlRequests.getSchema);
    assert.strictEqual(bundled.source, 'bundled');
    const tenant = { source: 'tenant', tables: [{ name: 'DeviceEvents', columns: [{ name: 'Timestamp', type: 'datetime' }, { name: 'TimeGenerated', type: 'datetime' }] }] };
    const republished = server.diagnosticsFor((p) => p.uri === uri);
    const summary = await server.connection.sendRequest<KqlSchemaSummary>(KqlRequests.setSchema, { schema: tenant });
    assert.deepStrictEqual(summary, { source: 'tenant', tables: 1, tablesWithColumns: 1, columns: 2 });
    const after = await republished;
    const names = after.diagnostics.map((d) => d.message);
    assert.ok(!names.some((m) => /TimeGenerated/.test(m)), 'this tenant has TimeGenerated');
    assert.ok(names.some((m) => /FileName/.test(m) || /AADSignInEventsBeta/.test(m)), 'unknown to this schema');
    const restored = await server.connection.sendRequest<KqlSchemaSummary>(KqlRequests.setSchema, null);
    assert.strictEqual(restored.source, 'bundled');
    assert.strictEqual(restored.tables, 62);
  });

  it('turns diagnostics off and on by notification, and reports its status', async () => {
    const cleared = server.diagnosticsFor((p) => p.uri === uri && p.diagnostics.length === 0);
    await server.connection.sendNotification(KqlNotifications.setSettings, { diagnosticsEnabled: false, analyzersEnabled: true });
    await cleared;
    const back = server.diagnosticsFor((p) => p.uri === uri && p.diagnostics.length > 0);
    await server.connection.sendNotification(KqlNotifications.setSettings, { diagnosticsEnabled: true, analyzersEnabled: false });
    assert.ok(!(await back).diagnostics.some((d) => d.code === 'KS500'), 'no analyzer hints when they are off');
    const status = await server.connection.sendRequest<KqlServerStatus>(KqlRequests.status);
    assert.strictEqual(status.openDocuments, 1);
    assert.deepStrictEqual(status.settings, { diagnosticsEnabled: true, analyzersEnabled: false });
    assert.ok(status.firstDiagnostics && status.firstDiagnostics.uptimeMs > 0);
    assert.ok(status.cpuMs > 0 && status.heapMB > 0);
  });

  it('clears the diagnostics of a closed document', async () => {
    const cleared = server.diagnosticsFor((p) => p.uri === uri && p.diagnostics.length === 0);
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await cleared;
  });
});
