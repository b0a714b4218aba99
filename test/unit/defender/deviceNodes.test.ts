import * as assert from 'node:assert/strict';
import type { DeviceStatus } from '../../../src/defender/deviceEngine';
import { deviceSessionNodes, thisDeviceStatusNode } from '../../../src/defender/deviceNodes';
import { activeSessionStatus } from './fixtures';

const host = { supported: true, summary: 'PC1 (Windows 10.0.22631, local)' };
const device = (over: Partial<DeviceStatus['status']> = {}, elevated = true): DeviceStatus => ({
  computerName: 'PC1', elevated, status: activeSessionStatus(over), readAt: new Date(),
});

describe('This device row', () => {
  it('summarises mode, time left, tamper protection and RTP', () => {
    const row = thisDeviceStatusNode({ kind: 'ok', host, device: device({ isTamperProtected: false }), now: new Date() });
    assert.match(row.description!, /^Troubleshooting mode · 2h 4[01]m left · TP off · RTP on$/);
    assert.equal(row.tone, 'ok');
    assert.match(row.contextValue!, /\bthisDevice\b.*\bdefender\b.*\btsActive\b/);
  });

  it('turns to a warning under 30 minutes left', () => {
    const d = device();
    const low: DeviceStatus = { ...d, status: { ...d.status, troubleshooting: { ...d.status.troubleshooting, timeLeftMs: 12 * 60_000 } } };
    const row = thisDeviceStatusNode({ kind: 'ok', host, device: low, now: new Date() });
    assert.equal(row.tone, 'warning');
    assert.match(row.description!, /12m left/);
  });

  it('lists details and the six playbooks', async () => {
    const row = thisDeviceStatusNode({ kind: 'ok', host, device: device({}, false), now: new Date() });
    const children = await row.children!();
    assert.deepEqual(children.map((c) => c.label), ['Troubleshooting mode', 'Started', 'Ends', 'Tamper protection', 'Real-time protection', 'Running mode', 'Versions', 'Elevated', 'Playbooks']);
    assert.equal(children.find((c) => c.label === 'Elevated')!.tone, 'warning');
    const playbooks = await children.at(-1)!.children!();
    assert.equal(playbooks.length, 6);
    assert.ok(playbooks.every((p) => p.command?.command.startsWith('defenderTroubleshooting.playbook.')));
  });

  it('says plainly why nothing runs', () => {
    const linux = { supported: false, summary: 'box (linux, local)', reason: 'Defender cmdlets need Windows; this host is linux.' };
    assert.equal(thisDeviceStatusNode({ kind: 'unsupported', host: linux }).description, 'Defender cmdlets need Windows; this host is linux.');
    assert.match(thisDeviceStatusNode({ kind: 'untrusted', host }).description!, /Restricted Mode/);
    const err = thisDeviceStatusNode({ kind: 'error', host, message: 'PowerShell was not found', code: 'psNotFound' });
    assert.equal(err.tone, 'error');
    assert.equal(err.command?.command, 'defenderTroubleshooting.device.refreshStatus');
  });
});

describe('Sessions row for this device', () => {
  it('shows state, warnings and snapshots, or nothing when there is no session', async () => {
    assert.deepEqual(deviceSessionNodes(device({ troubleshooting: { active: false, raw: {} } }), [], (f) => `file://${f}`), []);
    const snaps = [{ device: 'PC1', takenAt: new Date(), file: '/s/a.json' }];
    const [row] = deviceSessionNodes(device({ isTamperProtected: false }), snaps, (f) => `file://${f}`);
    assert.match(row!.description!, /^active · 2h 4[01]m left$/);
    const children = await row!.children!();
    assert.ok(children.some((c) => c.label === 'Tamper protection is off.'));
    const snap = children.find((c) => c.contextValue === 'snapshot')!;
    assert.equal(snap.resourceUri, 'file:///s/a.json');
    assert.deepEqual(snap.command?.args, [{ file: '/s/a.json' }]);
  });
});
