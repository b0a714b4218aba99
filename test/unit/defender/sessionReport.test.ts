import * as assert from 'node:assert/strict';
import type { AuditEntry } from '../../../src/defender/audit';
import { buildEventList } from '../../../src/defender/events';
import { changeScript } from '../../../src/defender/operations';
import { setTranslator, translatorFromBundle } from '../../../src/core/l10n';
import {
  cell,
  code,
  diffPreferences,
  exclusionsAdded,
  quotedValues,
  renderSessionReport,
  sessionAudit,
  type SessionReportInput,
} from '../../../src/defender/sessionReport';

const start = new Date('2026-12-02T08:00:00Z');
const expiry = new Date('2026-12-02T12:00:00Z');
const RTP = 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Real-Time Protection\\DisableRealtimeMonitoring';

const audit = (patch: Partial<AuditEntry>): AuditEntry => ({
  time: '2026-12-02T09:00:00.000Z', host: 'PC1', kind: 'read', operation: 'status', script: 'Get-MpComputerStatus', via: 'background', ok: true, result: 'ok', ...patch,
});

function input(patch: Partial<SessionReportInput> = {}): SessionReportInput {
  const events = buildEventList([
    { id: 5007, time: new Date('2026-12-02T09:05:00Z'), data: { 'Old Value': `${RTP} = 0x0`, 'New Value': `${RTP} = 0x1` } },
    { id: 5007, time: new Date('2026-12-02T09:06:00Z'), data: { 'Old Value': '', 'New Value': 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\WdConfigHash = 1' } },
  ]);
  return {
    device: 'PC1',
    generatedAt: new Date('2026-12-02T10:00:00Z'),
    start,
    expiry,
    active: true,
    prerequisites: [{ name: 'Defender platform', ok: true, detail: '4.18.24050.7 (needs 4.18.2203 or later)' }],
    audit: [
      audit({ time: '2026-12-02T07:00:00.000Z', operation: 'early read' }),
      audit({}),
      audit({ kind: 'write', operation: 'playbook appSlow', script: changeScript({ kind: 'realtimeMonitoring', disable: true }), result: 'applied' }),
      audit({
        kind: 'write', operation: 'playbook highCpu', time: '2026-12-02T09:30:00.000Z',
        script: changeScript({ kind: 'exclusions', list: 'ExclusionPath', op: 'add', values: ['C:\\db', "C:\\it's"] }), result: 'applied',
      }),
      audit({ kind: 'write', operation: 'playbook highCpu', host: 'OTHER', script: "Add-MpPreference -ExclusionExtension '.x'", result: 'applied' }),
    ],
    before: { takenAt: new Date('2026-12-02T08:59:00Z'), preferences: { DisableRealtimeMonitoring: false, ExclusionPath: null, PUAProtection: 1 }, isTamperProtected: true },
    after: { takenAt: new Date('2026-12-02T09:59:00Z'), preferences: { DisableRealtimeMonitoring: true, ExclusionPath: ['C:\\db', "C:\\it's"], PUAProtection: 1 }, isTamperProtected: false },
    events: events.rows,
    foldedEvents: events.folded,
    findings: [{ recordedAt: new Date('2026-12-02T09:20:00Z'), kind: 'path', key: 'C:\\db', totalMs: 7000, count: 4 }],
    ...patch,
  };
}

describe('session report (unit)', () => {
  it('diffPreferences lists only what changed, by name', () => {
    assert.deepEqual(diffPreferences({ A: 1, B: [1, 2], C: 'x' }, { A: 1, B: [1, 3], D: true }), [
      { name: 'B', before: '[ 1, 2 ]', after: '[ 1, 3 ]' },
      { name: 'C', before: 'x', after: '(not set)' },
      { name: 'D', before: '(not set)', after: 'true' },
    ]);
  });

  it('keeps the audit lines of this device inside the session window', () => {
    const lines = sessionAudit(input());
    assert.deepEqual(lines.map((l) => l.operation), ['status', 'playbook appSlow', 'playbook highCpu']);
  });

  it('finds the exclusions added and the performance finding behind each', () => {
    const added = exclusionsAdded(sessionAudit(input()), input().findings);
    assert.deepEqual(added.map((a) => [a.list, a.value, a.verified, a.finding?.key]), [
      ['ExclusionPath', 'C:\\db', 'applied', 'C:\\db'],
      ['ExclusionPath', "C:\\it's", 'applied', undefined],
    ]);
    assert.deepEqual(quotedValues("'a''b', 'c'"), ["a'b", 'c']);
  });

  it('renders every section: device, times, prerequisites, commands and results, diff, events, exclusions, revert, policy', () => {
    const md = renderSessionReport(input());
    for (const heading of ['# Troubleshooting session report: PC1', '## Session', '## Prerequisites', '## Commands and their verified results', '## Preferences before and after', '## Events', '## Exclusions added and the findings behind them', '## What reverts at expiry', '## Make permanent through policy']) {
      assert.ok(md.includes(heading), `missing ${heading}`);
    }
    assert.match(md, /\| Started \| 2026-12-02 08:00:00 UTC \|/);
    assert.match(md, /\| Expires \| 2026-12-02 12:00:00 UTC \|/);
    assert.match(md, /`Set-MpPreference -DisableRealtimeMonitoring \$true` \| applied \|/);
    assert.match(md, /\| `DisableRealtimeMonitoring` \| false \| true \|/);
    assert.match(md, /Real-Time Protection\\\\DisableRealtimeMonitoring: 0x0 → 0x1/);
    assert.match(md, /1 bookkeeping 5007 event/);
    assert.ok(!md.includes('WdConfigHash'));
    assert.match(md, /\| ExclusionPath \| `C:\\db` \| applied \| path `C:\\db`: 7.00 s over 4 scan\(s\) \|/);
    assert.match(md, /Tamper protection turns back on\./);
    assert.match(md, /## Make permanent through policy\n\n[^\n]*policy[^\n]*\n\n- ExclusionPath: `C:\\db` \(finding: 7.00 s of scan time\)\n- ExclusionPath: `C:\\it's`/);
    assert.ok(!md.includes("'.x'"), 'another host\'s command must not appear');
    assert.ok(!md.includes('early read'), 'a line before the session must not appear');
  });

  it('says whether each prerequisite is met in words (no emoji a preview may lack)', () => {
    const md = renderSessionReport(input({ prerequisites: [
      { name: 'Defender platform', ok: true, detail: '4.18.24050.7' },
      { name: 'Windows build', ok: false, detail: '19041.1' },
      { name: 'Engine', ok: undefined, detail: '?' },
    ] }));
    assert.match(md, /- \*\*Defender platform\*\* \(met\): 4\.18\.24050\.7\n- \*\*Windows build\*\* \(not met\): 19041\.1\n- \*\*Engine\*\* \(not known\): \?/);
    assert.doesNotMatch(md, /[\u2705\u274c\u2754]/u);
  });

  it('is written in the display language: its text goes through l10n, the commands and values stay as they ran', () => {
    setTranslator(translatorFromBundle({
      'Troubleshooting session report: {0}': 'Bericht zur Problembehandlungssitzung: {0}',
      'Commands and their verified results': 'Befehle und ihre geprüften Ergebnisse',
      'Started': 'Gestartet',
      'met': 'erfüllt',
      '{0} bookkeeping 5007 event(s) from Defender itself are left out.': '{0} 5007-Ereignis(se) von Defender selbst ausgeblendet.',
    }));
    try {
      const md = renderSessionReport(input());
      assert.match(md, /^# Bericht zur Problembehandlungssitzung: PC1$/m);
      assert.match(md, /^## Befehle und ihre geprüften Ergebnisse$/m);
      assert.match(md, /\| Gestartet \| 2026-12-02 08:00:00 UTC \|/);
      assert.match(md, /\*\*Defender platform\*\* \(erfüllt\)/);
      assert.match(md, /^1 5007-Ereignis\(se\) von Defender selbst ausgeblendet\.$/m);
      assert.match(md, /`Set-MpPreference -DisableRealtimeMonitoring \$true`/, 'the command is what ran, never translated');
    } finally {
      setTranslator(undefined);
    }
  });

  it('says in its header when it was written on the sample tenant, and only then', () => {
    const sample = renderSessionReport(input({ sampleTenant: true }));
    assert.match(sample, /^# Troubleshooting session report: PC1 · Sample tenant\n\n> \*\*Sample tenant\*\*: sample data/);
    const real = renderSessionReport(input());
    assert.doesNotMatch(real, /Sample tenant|sample data/);
  });

  it('says what is missing rather than leaving sections empty', () => {
    const md = renderSessionReport(input({ audit: [], before: undefined, after: undefined, events: [], foldedEvents: 0, findings: [], prerequisites: [] }));
    assert.match(md, /_No command ran on this device during the session._/);
    assert.match(md, /_Needs two snapshots/);
    assert.match(md, /_No events in the session window._/);
    assert.match(md, /_Nothing to make permanent/);
  });

  it('escapes table cells and code spans', () => {
    assert.equal(cell('a|b\nc<d'), 'a\\|b c&lt;d');
    assert.equal(code('a`b'), '``a`b``');
    assert.equal(code('`x'), '`` `x ``');
  });
});
