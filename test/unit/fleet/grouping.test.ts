import * as assert from 'node:assert/strict';
import type { Machine } from '../../../src/api/mde';
import type { NodeVM } from '../../../src/core/treeModel';
import {
  CHUNK,
  FleetTreeModel,
  formatCount,
  groupDevices,
  machineIdOfRow,
  parseGroupBy,
  sortByName,
  tenantRowId,
} from '../../../src/defender/deviceGrouping';
import type { DeviceTroubleshootingLookup, TroubleshootingStage } from '../../../src/defender/deviceTroubleshooting';
import { machineNode, tenantMachineId } from '../../../src/defender/fleet';

const hex = (n: number) => n.toString(16).padStart(40, '0');
const m = (n: number, over: Partial<Machine> = {}): Machine => ({
  id: hex(n),
  computerDnsName: `pc-${String(n).padStart(5, '0')}.contoso.com`,
  osPlatform: 'Windows11',
  healthStatus: 'Active',
  rbacGroupName: 'Workstations',
  machineTags: [],
  ...over,
});

function lookup(stages: Record<string, TroubleshootingStage>): DeviceTroubleshootingLookup {
  return {
    forDevice: (id) => (id && stages[id] ? { stage: stages[id]!, label: `troubleshooting · ${stages[id]}` } : undefined),
    onDidChange: () => ({ dispose() {} }),
  };
}

const row = (x: Machine, id: string): NodeVM => machineNode(x, new Date('2026-12-02T12:00:00Z'), { rowId: id });
const labels = (rows: readonly NodeVM[]) => rows.map((r) => `${r.label} (${r.description})`);

describe('fleet grouping (unit)', () => {
  it('reads the setting, falling back to none', () => {
    assert.equal(parseGroupBy('tag'), 'tag');
    assert.equal(parseGroupBy('troubleshootingState'), 'troubleshootingState');
    assert.equal(parseGroupBy('nonsense'), 'none');
    assert.equal(parseGroupBy(undefined), 'none');
  });

  it('groups by device group with counts, the "no group" group last', () => {
    const model = new FleetTreeModel();
    model.add([m(1, { rbacGroupName: 'Servers' }), m(2), m(3, { rbacGroupName: null }), m(4, { rbacGroupName: 'servers' }), m(5)]);
    const rows = model.rows({ groupBy: 'deviceGroup', deviceRow: row, parentId: 'devices/tenant' });
    assert.deepEqual(labels(rows), ['Servers (1 device)', 'servers (1 device)', 'Workstations (2 devices)', '(no device group) (1 device)']);
  });

  it('groups health case-insensitively and by OS platform', () => {
    const list = [m(1, { healthStatus: 'active' }), m(2, { healthStatus: 'Active' }), m(3, { healthStatus: 'ImpairedCommunication' }), m(4, { healthStatus: undefined })];
    assert.deepEqual(
      groupDevices(list, 'health').map((g) => [g.key, g.machines.length]),
      [['Active', 2], ['ImpairedCommunication', 1], ['(health unknown)', 1]],
    );
    const os = groupDevices([m(1, { osPlatform: 'WindowsServer2022' }), m(2), m(3, { osPlatform: 'macOS' })], 'osPlatform');
    assert.deepEqual(os.map((g) => g.key), ['macOS', 'Windows11', 'WindowsServer2022']);
  });

  it('puts a device under each of its tags, with unique row ids that still map to the machine', () => {
    const model = new FleetTreeModel();
    model.add([m(1, { machineTags: ['pilot', 'vip'] }), m(2, { machineTags: ['pilot'] }), m(3)]);
    const rows = model.rows({ groupBy: 'tag', deviceRow: row, parentId: 'devices/tenant' });
    assert.deepEqual(labels(rows), ['pilot (2 devices)', 'vip (1 device)', '(no tags) (1 device)']);
    const pilot = rows[0]!.children!() as NodeVM[];
    const vip = rows[1]!.children!() as NodeVM[];
    const ids = [...pilot, ...vip].map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'tree ids must be unique');
    assert.equal(tenantMachineId(vip[0]!.id), hex(1));
    assert.equal(tenantMachineId(pilot[0]!.id), hex(1));
  });

  it('trims tags, drops blank ones and counts a repeated tag once', () => {
    const tagRows = groupDevices([m(1, { machineTags: [' vip '] }), m(2, { machineTags: [' '] }), m(3, { machineTags: ['pilot', 'pilot', ''] }), m(4, { machineTags: null })], 'tag');
    assert.deepEqual(
      tagRows.map((g) => [g.key, g.machines.map((x) => x.id)]),
      [
        ['pilot', [hex(3)]],
        ['vip', [hex(1)]],
        ['(no tags)', [hex(2), hex(4)]],
      ],
    );
  });

  it('groups by troubleshooting state through the lookup, in lifecycle order', () => {
    const model = new FleetTreeModel();
    model.add([m(1), m(2), m(3), m(4)]);
    const ts = lookup({ [hex(2)]: 'active', [hex(3)]: 'requested', [hex(4)]: 'active' });
    const rows = model.rows({ groupBy: 'troubleshootingState', troubleshooting: ts, deviceRow: row, parentId: 'devices/tenant' });
    assert.deepEqual(labels(rows), ['In troubleshooting mode (2 devices)', 'Requested (1 device)', 'Not in troubleshooting mode (1 device)']);
    // Without a lookup every device is "not in troubleshooting mode".
    assert.deepEqual(labels(new FleetTreeModel().rows({ groupBy: 'troubleshootingState', deviceRow: row, parentId: 'p' })), []);
  });

  it('regroups after invalidate() when the lookup changes', () => {
    const stages: Record<string, TroubleshootingStage> = {};
    const model = new FleetTreeModel();
    model.add([m(1), m(2)]);
    const opts = { groupBy: 'troubleshootingState' as const, troubleshooting: lookup(stages), deviceRow: row, parentId: 'p' };
    assert.equal(model.rows(opts).length, 1);
    stages[hex(1)] = 'active';
    model.invalidate();
    assert.deepEqual(model.rows(opts).map((r) => r.label), ['In troubleshooting mode', 'Not in troubleshooting mode']);
  });

  it('splits a large group into ranges of CHUNK rows, so no level has 100,000 items', () => {
    const model = new FleetTreeModel();
    const n = CHUNK * 2 + 5;
    model.add(Array.from({ length: n }, (_, i) => m(n - i)));
    const ranges = model.rows({ groupBy: 'none', deviceRow: row, parentId: 'devices/tenant' });
    assert.equal(ranges.length, 3);
    assert.equal(ranges[0]!.label, 'pc-00001.contoso.com … pc-01000.contoso.com');
    assert.equal(ranges[2]!.description, '5 devices');
    const last = ranges[2]!.children!() as NodeVM[];
    assert.deepEqual(last.map((r) => r.label), ['pc-02001.contoso.com', 'pc-02002.contoso.com', 'pc-02003.contoso.com', 'pc-02004.contoso.com', 'pc-02005.contoso.com']);
    // A small tenant gets the device rows directly.
    const small = new FleetTreeModel();
    small.add([m(2), m(1)]);
    assert.deepEqual(small.rows({ groupBy: 'none', deviceRow: row, parentId: 'x' }).map((r) => r.label), ['pc-00001.contoso.com', 'pc-00002.contoso.com']);
  });

  it('drops duplicates across pages (a $skip page can overlap) and keeps the newest copy', () => {
    const model = new FleetTreeModel();
    assert.equal(model.add([m(1), m(2)]), 2);
    assert.equal(model.add([m(2, { healthStatus: 'Inactive' }), m(3)]), 1);
    assert.equal(model.count, 3);
    assert.equal(model.machine(hex(2))?.healthStatus, 'Inactive');
  });

  it('grows incrementally: groups seen after the first page update their counts after the next', () => {
    const model = new FleetTreeModel();
    model.add([m(1, { osPlatform: 'Windows10' })]);
    const opts = { groupBy: 'osPlatform' as const, deviceRow: row, parentId: 'p' };
    assert.deepEqual(labels(model.rows(opts)), ['Windows10 (1 device)']);
    model.add([m(2, { osPlatform: 'Windows10' }), m(3)]);
    assert.deepEqual(labels(model.rows(opts)), ['Windows10 (2 devices)', 'Windows11 (1 device)']);
  });

  it('groups only the new page after each page, and regroups a device that a later page moved', () => {
    const model = new FleetTreeModel();
    let asked = 0;
    const counting: DeviceTroubleshootingLookup = { forDevice: (id) => (asked++, id === hex(2) ? { stage: 'active', label: 'active' } : undefined), onDidChange: () => ({ dispose() {} }) };
    const opts = { groupBy: 'troubleshootingState' as const, troubleshooting: counting, deviceRow: row, parentId: 'p' };
    model.add([m(1), m(2), m(3)]);
    model.rows(opts);
    assert.equal(asked, 3);
    model.add([m(4), m(5)]);
    const after = model.rows(opts);
    assert.equal(asked, 5, 'the second page alone is grouped, not all five devices again');
    assert.equal(after.reduce((n, g) => n + Number(/^(\d+)/.exec(g.description ?? '')![1]), 0), 5);
    // Nothing new: no grouping at all.
    model.rows(opts);
    assert.equal(asked, 5);

    // A later page with a newer copy of device 1 in another device group: it moves, counts stay right.
    const byGroup = { groupBy: 'deviceGroup' as const, deviceRow: row, parentId: 'p' };
    assert.deepEqual(labels(model.rows(byGroup)), ['Workstations (5 devices)']);
    model.add([m(1, { rbacGroupName: 'Servers' }), m(6)]);
    assert.deepEqual(labels(model.rows(byGroup)), ['Servers (1 device)', 'Workstations (5 devices)']);
  });

  it('shows troubleshooting stage, tags and time left on the device row', () => {
    const r = machineNode(m(7, { machineTags: ['pilot'] }), new Date(), {
      troubleshooting: { stage: 'active', label: 'troubleshooting · 2 h 10 min left' },
    });
    assert.match(r.description ?? '', /^troubleshooting · 2 h 10 min left · Windows11 · Active · #pilot$/);
    assert.equal(r.icon, 'debug-alt');
    assert.match(r.tooltip ?? '', /Troubleshooting mode \| troubleshooting · 2 h 10 min left/);
  });

  it('formats counts with separators and sorts names without Intl', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(12000), '12,000');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.deepEqual(sortByName([m(1, { computerDnsName: 'b' }), m(2, { computerDnsName: 'A' }), m(3, { computerDnsName: null })]).map((x) => x.computerDnsName), [
      null, // the id "000…3" sorts before letters
      'A',
      'b',
    ]);
  });

  it('maps row ids back to machine ids and rejects other rows', () => {
    assert.equal(machineIdOfRow(tenantRowId('abc')), 'abc');
    assert.equal(machineIdOfRow(tenantRowId('abc', 'pilot/x')), 'abc');
    assert.equal(machineIdOfRow('devices/tenant/group/tag/pilot'), undefined);
    assert.equal(machineIdOfRow('device/this'), undefined);
    assert.equal(machineIdOfRow(undefined), undefined);
  });
});
