import * as assert from 'node:assert';
import { loadBundledSchema } from '../../../src/kql/schema/bundled';
import { applyGetSchemaRows, buildGetSchemaQuery, buildSingleTableSchemaQuery } from '../../../src/kql/schema/schema';
import type { KqlDiagnostic } from '../../../src/kql/types';
import { at, freshService, kustoErrors, sharedService } from './kustoFixture';

const slice = (text: string, d: { start: number; length: number }) => text.slice(d.start, d.start + d.length);
const errors = (dx: readonly KqlDiagnostic[]) => dx.filter((d) => d.severity === 'error');

describe('kql/service (Kusto.Language over the advanced hunting schema)', function () {
  this.timeout(60_000);
  before(() => sharedService());
  afterEach(() => assert.deepStrictEqual(kustoErrors.splice(0), [], 'Kusto threw'));

  describe('diagnostics', () => {
    it('accepts a correct Defender query', () => {
      const q = 'DeviceEvents\n| where Timestamp > ago(1d)\n| where ActionType == "AntivirusTroubleshootModeEvent"\n| extend p = parse_json(AdditionalFields)\n| project Timestamp, DeviceName, p.TroubleshootingState';
      assert.deepStrictEqual(sharedService().diagnostics(q), []);
    });

    it('analyses each block on its own and reports in document offsets', () => {
      const doc = 'let x = 1;\nDeviceInfo | where Foo == x\n\nDeviceInfo | where Bar == x';
      const dx = sharedService().diagnostics(doc);
      assert.deepStrictEqual(dx.map((d) => [d.code, slice(doc, d)]), [
        ['KS142', 'Foo'],
        ['KS142', 'Bar'],
        ['KS142', 'x'],
      ]);
    });

    it('skips comment-only blocks and blank documents', () => {
      assert.deepStrictEqual(sharedService().diagnostics('// just a note\n// more\n\n   \n'), []);
      assert.deepStrictEqual(sharedService().diagnostics(''), []);
    });

    it('reports syntax errors', () => {
      const doc = 'DeviceEvents | where (Timestamp > ago(1d)';
      const [d] = errors(sharedService().diagnostics(doc));
      assert.ok(d, 'an error');
      assert.strictEqual(d.source, 'kusto');
      assert.match(d.code, /^KS\d+$/);
    });

    it('explains TimeGenerated, on tables with and without known columns', () => {
      // Every bundled table has its columns; a table whose columns are unknown (open) is made here.
      const svc = freshService();
      const bundled = loadBundledSchema();
      svc.setSchema({ ...bundled, tables: bundled.tables.map((t) => (t.name === 'DeviceTvmBrowserExtensions' ? { name: t.name, description: t.description } : t)) });
      const doc = 'DeviceEvents | where TimeGenerated > ago(1h)\n\nDeviceTvmBrowserExtensions | where TimeGenerated > ago(1h)';
      const dx = svc.diagnostics(doc);
      assert.deepStrictEqual(dx.map((d) => [d.code, d.severity, slice(doc, d)]), [
        ['KS142', 'error', 'TimeGenerated'],
        ['DT002', 'warning', 'TimeGenerated'],
      ]);
      for (const d of dx) {
        assert.match(d.message, /Sentinel/);
        const edit = d.fixes?.[0]?.edits[0];
        assert.deepStrictEqual(edit, { start: d.start, length: 13, newText: 'Timestamp' }, 'the fix is in document offsets');
      }
    });

    it('flags the deprecated sign-in tables with their successors, struck through', () => {
      const doc = 'AADSignInEventsBeta | take 1\n\nAADSpnSignInEventsBeta | take 1';
      const dx = sharedService().diagnostics(doc);
      assert.deepStrictEqual(dx.map((d) => [d.code, d.tags, d.fixes?.[0]?.edits[0]?.newText]), [
        ['DT001', ['deprecated'], 'EntraIdSignInEvents'],
        ['DT001', ['deprecated'], 'EntraIdSpnSignInEvents'],
      ]);
    });

    it('knows the Defender functions, including the unquoted column of invoke FileProfile', () => {
      const ok = [
        'DeviceFileEvents | project SHA1 | invoke FileProfile() | where GlobalPrevalence < 15 | project Signer, SHA1',
        'DeviceFileEvents | invoke FileProfile(SHA256, 500) | where IsExecutable | project FolderPath, ThreatName',
        'DeviceFileEvents | invoke FileProfile("SHA1", 500) | where GlobalPrevalence < 15',
        'DeviceProcessEvents | invoke FileProfile(InitiatingProcessSHA1) | project SoftwareName',
        'DeviceNetworkEvents | take 100 | project IP = LocalIP | invoke DeviceFromIP() | project IP, DeviceId',
        "AssignedIPAddresses('example-device-name', ago(1d)) | project IPAddress, IPType, NetworkAdapterType",
      ];
      for (const q of ok) assert.deepStrictEqual(sharedService().diagnostics(q), [], q);
      const bad = 'DeviceFileEvents | invoke FileProfile(FolderPath)';
      const [d] = sharedService().diagnostics(bad);
      assert.match(d!.message, /file ID column: SHA1, SHA256/);
    });

    it('reports Kusto analyzer hints as hints, and can turn them off', () => {
      const doc = 'DeviceEvents | where FileName contains "abcdef" | join (DeviceInfo) on DeviceId';
      const dx = sharedService().diagnostics(doc);
      assert.deepStrictEqual(dx.map((d) => [d.code, d.severity, slice(doc, d)]), [
        ['KS500', 'hint', 'contains'],
        ['KS508', 'warning', 'join'],
      ]);
      assert.deepStrictEqual(freshService(false).diagnostics(doc), []);
    });

    it('follows a refreshed schema', () => {
      const svc = freshService();
      const q = 'DeviceTvmBrowserExtensions | project ExtensionId, TenantOnlyColumn';
      assert.deepStrictEqual(svc.diagnostics(q).map((d) => slice(q, d)), ['TenantOnlyColumn'], 'the bundled columns');
      const refreshed = applyGetSchemaRows(loadBundledSchema(), [
        { TableName: 'DeviceTvmBrowserExtensions', ColumnName: 'ExtensionId', ColumnType: 'string' },
        { TableName: 'DeviceTvmBrowserExtensions', ColumnName: 'TenantOnlyColumn', ColumnType: 'string' },
      ]);
      svc.setSchema(refreshed.schema);
      assert.deepStrictEqual(svc.diagnostics(q), []);
      assert.deepStrictEqual(svc.diagnostics('DeviceTvmBrowserExtensions | project BrowserName').map((d) => d.code), ['KS142'], 'the tenant has only its columns');
    });

    it('accepts the real names of issue #10: GraphAPIAuditEvents, ISP, the remote-session columns', () => {
      const ok = [
        'GraphAPIAuditEvents\n| where Timestamp > ago(1d)\n| where RequestUri has "messages"\n| summarize count() by bin(Timestamp, 1h), AccountObjectId',
        'CloudAppEvents\n| where ISP != ""\n| project Timestamp, CountryCode, IPAddress, ISP',
        'IdentityLogonEvents\n| where ISP != "INTERNAL_NETWORK"\n| project Timestamp, AccountUpn, ISP',
        'DeviceImageLoadEvents\n| where IsInitiatingProcessRemoteSession\n| project InitiatingProcessSessionId, InitiatingProcessRemoteSessionDeviceName, InitiatingProcessRemoteSessionIP',
        'DeviceProcessEvents\n| where IsProcessRemoteSession or IsInitiatingProcessRemoteSession\n| project CreatedProcessSessionId, ProcessRemoteSessionDeviceName, ProcessRemoteSessionIP, InitiatingProcessRemoteSessionIP',
      ];
      for (const q of ok) assert.deepStrictEqual(errors(sharedService().diagnostics(q)), [], q);
      const old = 'GraphApiAuditEvents | take 1';
      const dx = sharedService().diagnostics(old);
      assert.deepStrictEqual(dx.map((d) => [d.code, slice(old, d)]), [['KS204', 'GraphApiAuditEvents']], 'the docs spelling is not the table');
      assert.deepStrictEqual(sharedService().codeActions(old, 0, 0, dx).map((a) => a.title), ["Change to 'GraphAPIAuditEvents'"]);
    });

    it('reports a made-up column on every table, including the ones that used to accept any name', () => {
      for (const table of ['DeviceTvmBrowserExtensions', 'EntraIdSignInEvents', 'GraphAPIAuditEvents', 'OAuthAppInfo', 'DeviceEvents']) {
        const q = `${table} | project MadeUpColumn`;
        assert.deepStrictEqual(sharedService().diagnostics(q).map((d) => [d.code, slice(q, d)]), [['KS142', 'MadeUpColumn']], table);
      }
    });
  });

  it('parses its own getschema queries', () => {
    const schema = sharedService().currentSchema;
    const union = buildGetSchemaQuery(schema.tables.map((t) => t.name));
    assert.deepStrictEqual(errors(sharedService().diagnostics(union)), []);
    assert.deepStrictEqual(sharedService().diagnostics(buildSingleTableSchemaQuery('DeviceInfo')), []);
  });

  describe('completion', () => {
    it('completes Defender tables and functions at the start of a block', () => {
      const doc = 'DeviceInfo | take 1\n\n';
      const { items } = sharedService().completions(doc, doc.length);
      const tables = items.filter((i) => i.kind === 'table').map((i) => i.label);
      assert.strictEqual(tables.length, 62);
      assert.ok(tables.includes('DeviceEvents') && tables.includes('EntraIdSignInEvents'));
      const events = items.find((i) => i.label === 'DeviceEvents')!;
      assert.match(events.documentation ?? '', /troubleshooting/);
      assert.ok(items.some((i) => i.kind === 'function' && i.label.startsWith('AssignedIPAddresses')));
    });

    it('completes the columns of the table in scope, with their types, replacing the word', () => {
      const doc = 'DeviceEvents\n| where Acti';
      const { items } = sharedService().completions(doc, doc.length);
      const action = items.find((i) => i.label === 'ActionType');
      assert.ok(action, 'ActionType is offered');
      assert.strictEqual(action.kind, 'column');
      assert.strictEqual(action.detail, 'string');
      assert.strictEqual(action.editStart, at(doc, 'Acti'));
      assert.strictEqual(action.editLength, 4);
      assert.ok(!items.some((i) => i.label === 'OSPlatform'), 'no column of another table');
    });

    it('puts the caret inside the parentheses of a function', () => {
      const doc = 'DeviceEvents | where Timestamp > ag';
      const ago = sharedService().completions(doc, doc.length).items.find((i) => i.label.startsWith('ago'));
      assert.ok(ago);
      assert.strictEqual(ago.insertText, 'ago()');
      assert.strictEqual(ago.cursorOffset, 4);
    });
  });

  describe('hover', () => {
    it('shows a column type and a table description', () => {
      const doc = 'DeviceEvents | project AdditionalFields';
      const col = sharedService().hover(doc, at(doc, 'Additional') + 3);
      assert.ok(col);
      assert.match(col.contents, /AdditionalFields: string/);
      assert.deepStrictEqual([col.start, col.length], [at(doc, 'AdditionalFields'), 16]);
      assert.match(col.contents, /JSON array format/, 'with the documented description');
      const table = sharedService().hover(doc, 2);
      assert.match(table!.contents, /DeviceEvents: table\(/);
      assert.match(table!.contents, /troubleshooting mode/);
    });

    it('describes Defender function columns from the docs', () => {
      const doc = 'DeviceFileEvents | invoke FileProfile() | project GlobalPrevalence';
      assert.match(sharedService().hover(doc, at(doc, 'GlobalPrevalence') + 1)!.contents, /observed by Microsoft globally/);
    });

    it('returns nothing on blank lines', () => {
      assert.strictEqual(sharedService().hover('T\n\n\nU', 3), undefined);
    });
  });

  describe('formatting', () => {
    it('formats each block, keeps line endings, leaves broken blocks alone', () => {
      const doc = 'DeviceEvents|where  ActionType=="x"|take 1\r\n\r\nDeviceInfo | where (\r\n\r\nDeviceInfo   | take 1';
      const edits = sharedService().format(doc);
      assert.deepStrictEqual(edits, [
        { start: 0, length: at(doc, '\r\n'), newText: 'DeviceEvents | where ActionType == "x" | take 1' },
        { start: at(doc, 'DeviceInfo   '), length: 'DeviceInfo   | take 1'.length, newText: 'DeviceInfo | take 1' },
      ]);
      const onlyLast = sharedService().format(doc, {}, doc.length - 3, doc.length);
      assert.strictEqual(onlyLast.length, 1, 'range formatting touches the blocks in the range');
    });
  });

  describe('semantic tokens', () => {
    it('classifies tables, columns, functions and variables, marking deprecated tables', () => {
      const doc = 'let since = ago(1d);\nDeviceEvents | where Timestamp > since\n\nAADSignInEventsBeta | take 1';
      const tokens = sharedService().semanticTokens(doc).map((t) => [slice(doc, t), t.type, t.deprecated ?? false]);
      assert.deepStrictEqual(tokens, [
        ['since', 'variable', false],
        ['ago', 'function', false],
        ['DeviceEvents', 'class', false],
        ['Timestamp', 'property', false],
        ['since', 'variable', false],
        ['AADSignInEventsBeta', 'class', true],
      ]);
    });

    it('colours the unquoted column of invoke FileProfile as a column', () => {
      const doc = 'DeviceFileEvents | invoke FileProfile(SHA256, 500) | project Signer';
      const tokens = sharedService().semanticTokens(doc).map((t) => [slice(doc, t), t.type]);
      assert.deepStrictEqual(tokens, [['DeviceFileEvents', 'class'], ['FileProfile', 'function'], ['SHA256', 'property'], ['Signer', 'property']]);
    });
  });

  describe('code actions', () => {
    it("offers Kusto's analyzer fixes in document offsets", () => {
      const doc = 'DeviceInfo | take 1\n\nDeviceEvents | where FileName contains "abcdef" and FolderPath contains "ghijkl"';
      const pos = at(doc, 'contains');
      const actions = sharedService().codeActions(doc, pos, pos);
      assert.deepStrictEqual(actions.map((a) => [a.title, a.kind]), [
        ["Change to 'has'", 'quickfix'],
        ["Fix all: Change to 'has'", 'quickfix'],
      ]);
      assert.deepStrictEqual(actions[0]!.edits, [{ start: pos, length: 8, newText: 'has' }]);
      assert.strictEqual(actions[1]!.edits.length, 2);
    });

    it('narrows a selection to its tokens: a comment line offers nothing and no longer throws (issue #10)', () => {
      const doc = 'DeviceEvents\n// Exclusion\n| where ActionType == "x"\n| project Timestamp';
      const comment = at(doc, '// Exclusion');
      // Kusto threw "negative delete length" applying "Extract Function" to a selection of the comment alone.
      assert.deepStrictEqual(sharedService().codeActions(doc, comment, comment + '// Exclusion'.length), []);
      const actions = sharedService().codeActions(doc, comment - 1, at(doc, '"x"') + 3);
      assert.deepStrictEqual(actions.map((a) => a.title), ['Extract Function']);
      const edited = [...actions[0]!.edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.start + e.length), doc);
      assert.match(edited, /\/\/ Exclusion\n\| invoke functionName\(\)\n\| project Timestamp$/, 'the comment stays, the selected operator moves into the function');
      assert.deepStrictEqual(errors(sharedService().diagnostics(edited)), []);
    });

    it('suggests names in scope for an unknown name', () => {
      const doc = 'DeviceEvents\n| project Timestamp, DeviceNmae, ActonType';
      const dx = sharedService().diagnostics(doc);
      const titles = (word: string) => sharedService().codeActions(doc, at(doc, word), at(doc, word), dx).map((a) => a.title);
      assert.deepStrictEqual(titles('DeviceNmae'), ["Change to 'DeviceName'"]);
      assert.deepStrictEqual(titles('ActonType'), ["Change to 'ActionType'"]);
    });
  });

  it('keeps every block of a long document analysed, so an edit re-analyses one block', () => {
    const svc = freshService(false);
    const blocks = Array.from({ length: 60 }, (_, i) => `DeviceInfo | where DeviceName == "device-${i}"`);
    svc.diagnostics(blocks.join('\n\n'));
    blocks[30] = 'DeviceInfo | where DeviceName == "changed"';
    const started = performance.now();
    svc.diagnostics(blocks.join('\n\n'));
    const cache = (svc as unknown as { cache: Map<string, unknown> }).cache;
    assert.ok(blocks.every((b) => cache.has(b)), 'all 60 blocks are cached');
    assert.ok(performance.now() - started < 2_000);
  });

  it('warms up without errors and stays correct afterwards', () => {
    const svc = freshService();
    const before = svc.diagnostics('DeviceEvents | where Foo');
    svc.warmUp();
    assert.ok(svc.isWarm);
    assert.deepStrictEqual(svc.diagnostics('DeviceEvents | where Foo'), before);
  });
});
