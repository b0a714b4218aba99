import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { AuditLog, type AuditEntry } from '../../../src/defender/audit';

const entry = (patch: Partial<AuditEntry> = {}): AuditEntry => ({
  time: '2026-11-23T00:00:00.000Z', host: 'PC', kind: 'write', operation: 'test', script: 'Set-MpPreference -PUAProtection 0',
  via: 'terminal', ok: true, result: 'applied', ...patch,
});

describe('audit log (unit)', () => {
  let file: string;
  beforeEach(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-audit-')), 'sub', 'audit.jsonl');
  });

  it('writes one valid JSON line per entry, secrets scrubbed from the strings, numbers kept', async () => {
    const log = new AuditLog(file);
    await log.append(entry({ exitCode: 0, message: 'token access_token=abc123 seen' }));
    await log.append(entry({ exitCode: 1, script: "Invoke-Thing -password 'x' # password=hunter2" }));
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const parsed = lines.map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(parsed.map((e) => e.exitCode), [0, 1]);
    assert.ok(!lines.join('\n').includes('abc123') && !lines.join('\n').includes('hunter2'), lines.join('\n'));
    assert.deepEqual(await log.read(), parsed);
  });

  it('records exactly what ran: paths and names that merely look like key=value or "Basic …" are kept (issue #10, item 5)', async () => {
    const log = new AuditLog(file);
    const scripts = [
      "Add-MpPreference -ExclusionPath 'D:\\build\\code=release\\app.exe'",
      "Add-MpPreference -ExclusionProcess 'C:\\Program Files\\Microsoft Visual Basic 6.0\\vb6.exe'",
    ];
    for (const script of scripts) await log.append(entry({ script }));
    assert.deepEqual((await log.read()).map((e) => e.script), scripts);
  });

  it('reads past a torn line: the next entry is kept, whether appended after it or already glued to it (issue #10, item 8)', async () => {
    const mem = new MemoryLogger();
    const log = new AuditLog(file, mem);
    await log.append(entry({ operation: 'before' }));
    fs.appendFileSync(file, '{"time":"2026-11-23T00:00:01'); // the crash
    await log.append(entry({ operation: 'after' }));
    assert.deepEqual((await log.read()).map((e) => e.operation), ['before', 'after']);
    // A file written by an older version: the next entry went onto the torn line.
    fs.appendFileSync(file, `{"time":"2026-11-23T00:00:02${JSON.stringify(entry({ operation: 'glued' }))}\n`);
    fs.appendFileSync(file, '[1,2]\n{"time":3}\n');
    assert.deepEqual((await log.read()).map((e) => e.operation), ['before', 'after', 'glued']);
    const warning = mem.lines.filter((l) => l.level === 'warn').at(-1);
    assert.ok(warning, 'the damaged lines are reported');
    assert.ok(warning.message.includes(file), warning.message);
    assert.match(warning.message, /lines 2, 4, 5, 6/);
  });

  it('keeps every line when appends overlap, and skips a torn last line after a crash', async () => {
    const log = new AuditLog(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry({ operation: `op ${i}` }))));
    fs.appendFileSync(file, '{"time":"2026-11-23T00:00:01');
    const read = await log.read();
    assert.deepEqual(read.map((e) => e.operation), Array.from({ length: 20 }, (_, i) => `op ${i}`));
  });
});
