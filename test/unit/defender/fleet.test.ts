import * as assert from 'node:assert';
import type { Machine } from '../../../src/api/mde';
import { ago, devicePortalUrl, machineNode, tenantMachineId } from '../../../src/defender/fleet';

const now = new Date('2026-11-22T12:00:00Z');
const machine = (over: Partial<Machine> = {}): Machine => ({
  id: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
  computerDnsName: 'pc-01.contoso.com',
  osPlatform: 'Windows11',
  healthStatus: 'Active',
  lastSeen: '2026-11-22T09:00:00Z',
  ...over,
});

describe('fleet rows (unit)', () => {
  it('builds the portal device page link, with the tenant only when it is a tenant id', () => {
    const id = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
    assert.strictEqual(devicePortalUrl('https://security.microsoft.com/', id), `https://security.microsoft.com/machines/v2/${id}/overview`);
    assert.strictEqual(
      devicePortalUrl('https://security.microsoft.us', id, '72f988bf-86f1-41af-91ab-2d7cd011db47'),
      `https://security.microsoft.us/machines/v2/${id}/overview?tid=72f988bf-86f1-41af-91ab-2d7cd011db47`,
    );
    assert.ok(!devicePortalUrl('https://security.microsoft.com', id, 'contoso.com').includes('tid='));
  });

  it('describes a device by platform, health and the age of its last full report', () => {
    const row = machineNode(machine(), now);
    assert.strictEqual(row.label, 'pc-01.contoso.com');
    assert.strictEqual(row.description, 'Windows11 · Active · report 3 h ago');
    assert.strictEqual(row.tone, 'ok');
    assert.strictEqual(row.contextValue, 'tenantDevice windows');
    assert.match(row.tooltip ?? '', /\| Device id \| 1e5bc9d7e413ddd7902c2932e418702b84d0cc07 \|/);
  });

  it('parses leniently: missing fields, other casing, non-Windows platforms', () => {
    const row = machineNode({ id: 'abc', healthStatus: 'impairedcommunication', osPlatform: 'Linux' } as Machine, now);
    assert.strictEqual(row.label, 'abc');
    assert.strictEqual(row.tone, 'warning');
    assert.strictEqual(row.contextValue, 'tenantDevice other');
    assert.match(row.tooltip ?? '', /need Windows/);
  });

  it('escapes markdown in tooltips', () => {
    const row = machineNode(machine({ rbacGroupName: '[x](command:evil)' }), now);
    assert.ok(!(row.tooltip ?? '').includes('[x](command:evil)'));
  });

  it('gives each row an id that maps back to the machine id', () => {
    const row = machineNode(machine(), now);
    assert.strictEqual(row.id, 'device/tenant/1e5bc9d7e413ddd7902c2932e418702b84d0cc07');
    assert.strictEqual(tenantMachineId(row.id), '1e5bc9d7e413ddd7902c2932e418702b84d0cc07');
    assert.strictEqual(row.children, undefined);
    assert.ok(machineNode(machine(), now, { children: () => [] }).children);
  });

  it('formats ages', () => {
    assert.strictEqual(ago('2026-11-22T11:30:00Z', now), '30 min ago');
    assert.strictEqual(ago('2026-11-19T12:00:00Z', now), '3 d ago');
    assert.strictEqual(ago('not a date', now), undefined);
    assert.strictEqual(ago(null, now), undefined);
  });
});
