import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefenderApiError } from '../../../src/api/errors';
import { RestClient } from '../../../src/api/http';
import { MdeClient, type MachineAction } from '../../../src/api/mde';
import { MACHINES_RATE, PACKAGE_URI_RATE, RateLimiter } from '../../../src/api/rateLimiter';
import {
  classifyEntry,
  collectionActionsFilter,
  describePackage,
  entryPickItems,
  followAction,
  packageFileName,
  packageUri,
  runningCollection,
  validateComment,
} from '../../../src/defender/investigationPackage';
import { crc32, extractEntry, listZip, safeEntryPath, ZipFormatError } from '../../../src/defender/zipDirectory';
import { FIXTURE_DEVICES } from '../../doubles/api-emulator/dataset';
import { writeZip } from '../../doubles/api-emulator/fleetRoutes';
import { startApiEmulator, type RunningEmulator } from '../../doubles/api-emulator/server';
import { FakeClock, tokenSource } from '../api/helpers';

describe('zip central directory (unit)', () => {
  it("lists and extracts a ZIP written by Python's zipfile: stored, deflated, a folder, UTF-8 names", () => {
    const buf = readFileSync(join(__dirname, 'fixtures', 'python-zipfile.zip'));
    const entries = listZip(buf);
    assert.deepEqual(
      entries.map((e) => [e.name, e.isDirectory, e.method, e.size]),
      [
        ['Logs/', true, 0, 0],
        ['Logs/Defender Operational.evtx', false, 0, 600],
        ['MpPreference_Snapshot_Before.txt', false, 8, 1750],
        ['Größe/naïve.txt', false, 8, 6],
        ['../evil.txt', false, 0, 1],
      ],
    );
    assert.equal(extractEntry(buf, entries[2]!).toString('utf8').split('\r\n')[0], 'DisableRealtimeMonitoring : False');
    assert.equal(extractEntry(buf, entries[3]!).toString('utf8'), 'héllo');
    assert.equal(extractEntry(buf, entries[1]!).length, 600);
  });

  it('refuses entry names that would leave the target folder', () => {
    assert.equal(safeEntryPath('../evil.txt'), undefined);
    assert.equal(safeEntryPath('a/../../b'), undefined);
    assert.equal(safeEntryPath('/etc/passwd'), undefined);
    assert.equal(safeEntryPath('C:\\Windows\\x.txt'), undefined);
    assert.equal(safeEntryPath('Logs\\Defender.evtx'), 'Logs/Defender.evtx');
    assert.equal(safeEntryPath('./a//b.txt'), 'a/b.txt');
  });

  it('detects damage: not a zip, truncated, a wrong checksum', () => {
    assert.throws(() => listZip(Buffer.from('hello, not a zip at all, just text that is long enough')), ZipFormatError);
    const good = writeZip([{ name: 'a.txt', data: Buffer.from('abc'.repeat(100)) }]);
    assert.throws(() => listZip(good.subarray(0, good.length - 30)), ZipFormatError);
    const bad = Buffer.from(good);
    bad[40] = bad[40]! ^ 0xff; // inside the deflated data
    assert.throws(() => extractEntry(bad, listZip(bad)[0]!));
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });
});

describe('investigation package model (unit)', () => {
  it('classifies entries by name only, snapshots and logs first in the pick list', () => {
    assert.equal(classifyEntry('Troubleshooting mode/MpPreference-before.txt'), 'snapshot');
    assert.equal(classifyEntry('x/Microsoft-Windows-Windows Defender-Operational.evtx'), 'log');
    assert.equal(classifyEntry('WD Support Logs/MpSupportFiles.cab'), 'log');
    assert.equal(classifyEntry('Processes/Processes.csv'), 'other');
    const listing = describePackage(listZip(readFileSync(join(__dirname, 'fixtures', 'python-zipfile.zip'))));
    assert.equal(listing.files.length, 4);
    assert.deepEqual(entryPickItems(listing).map((i) => i.label).slice(0, 2), ['MpPreference_Snapshot_Before.txt', 'Logs/Defender Operational.evtx']);
    assert.match(entryPickItems(listing)[0]!.description, /troubleshooting snapshot \(by name\)/);
  });

  it('requires a comment, filters actions with quoted values, names the file safely', () => {
    assert.match(validateComment('  ') ?? '', /required/);
    assert.equal(validateComment('after troubleshooting session'), undefined);
    assert.equal(collectionActionsFilter("ab'c"), "machineId eq 'ab''c' and type eq 'CollectInvestigationPackage'");
    assert.equal(packageFileName('ws-fin-01.contoso.local', '7a0b3f1c-aaaa'), 'ws-fin-01-investigation-7a0b3f1c.zip');
    assert.equal(packageFileName('../../x', 'id'), 'device-investigation-id.zip');
  });

  it('finds the running collection among final ones', () => {
    const acts: MachineAction[] = [
      { id: '1', type: 'CollectInvestigationPackage', status: 'Succeeded', machineId: 'm', creationDateTimeUtc: '2026-12-01T00:00:00Z' },
      { id: '2', type: 'RunAntiVirusScan', status: 'Pending', machineId: 'm' },
      { id: '3', type: 'CollectInvestigationPackage', status: 'InProgress', machineId: 'm', creationDateTimeUtc: '2026-12-02T00:00:00Z' },
    ];
    assert.equal(runningCollection(acts, 'm')?.id, '3');
    assert.equal(runningCollection(acts.slice(0, 2), 'm'), undefined);
  });
});

describe('collecting a package from the emulator (unit)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let clock: FakeClock;
  let client: MdeClient;

  beforeEach(async () => {
    clock = new FakeClock();
    emu = await startApiEmulator({ clock });
    const rest = new RestClient({ baseUrl: emu.url, getToken: tokenSource().getToken, clock });
    client = new MdeClient(rest, { limiter: new RateLimiter(MACHINES_RATE, clock), packageUriLimiter: new RateLimiter(PACKAGE_URI_RATE, clock), clock });
  });
  afterEach(async () => emu?.close());

  it('collects, follows Pending → InProgress → Succeeded, gets the URI and a real ZIP with the snapshots', async () => {
    const dev = emu.dataset.device(FIXTURE_DEVICES.expired);
    const action = await client.collectInvestigationPackage(dev.id, 'After the troubleshooting session');
    assert.equal(action.status, 'Pending');
    assert.equal(emu.fleet.actions[0]?.comment, 'After the troubleshooting session');
    const seen: string[] = [];
    const done = await followAction(client, action.id, { clock, pollMs: 20_000, onStatus: (a) => seen.push(a.status ?? '') });
    assert.deepEqual(seen, ['Pending', 'InProgress', 'Succeeded']);
    assert.equal(done.status, 'Succeeded');
    const uri = await packageUri(client, action.id, { clock });
    assert.match(uri, /\/__packages\/.+\.zip\?sig=/);
    const zip = Buffer.from(await (await fetch(uri)).arrayBuffer());
    const listing = describePackage(listZip(zip));
    assert.deepEqual(listing.snapshots.map((e) => e.name), ['Troubleshooting mode/MpPreference-before.txt', 'Troubleshooting mode/MpPreference-at-expiry.txt']);
    assert.ok(listing.logs.some((e) => e.name.endsWith('.evtx')));
    assert.match(extractEntry(zip, listing.snapshots[1]!).toString('utf8'), /DisableRealtimeMonitoring : True/);
  });

  it('answers 400 while a collection runs, and the running action can be found to follow', async () => {
    const dev = emu.dataset.device(FIXTURE_DEVICES.active);
    const first = await client.collectInvestigationPackage(dev.id, 'first');
    const err = await client.collectInvestigationPackage(dev.id, 'second').catch((e: unknown) => e);
    assert.ok(err instanceof DefenderApiError && err.status === 400, String(err));
    const running = runningCollection(await client.listMachineActions(collectionActionsFilter(dev.id)), dev.id);
    assert.equal(running?.id, first.id);
  });

  it('requires the Comment (case-sensitive) on the service side too', async () => {
    const dev = emu.dataset.device(FIXTURE_DEVICES.active);
    const res = await fetch(`${emu.url}/api/machines/${dev.id}/collectInvestigationPackage`, {
      method: 'POST',
      headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: 'lower-case name' }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /MissingRequiredParameter/);
    await assert.rejects(client.collectInvestigationPackage(dev.id, '   '), /comment is required/i);
  });

  it('keeps GetPackageUri within 2 calls a minute: the third call waits, the service never says 429', async () => {
    const dev = emu.dataset.device(FIXTURE_DEVICES.quiet);
    const a = await client.collectInvestigationPackage(dev.id, 'c');
    clock.current += 10 * 60_000;
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) await client.getPackageUri(a.id, undefined, (ms) => waits.push(ms));
    assert.deepEqual(waits, [60_000]);
    const calls = emu.requests.filter((r) => /GetPackageUri$/i.test(r.path));
    assert.deepEqual(calls.map((r) => r.status), [200, 200, 200]);
  });

  it('GetPackageUri is 404 until the action succeeds; packageUri waits and retries', async () => {
    const dev = emu.dataset.device(FIXTURE_DEVICES.mac);
    const a = await client.collectInvestigationPackage(dev.id, 'c');
    const uri = await packageUri(client, a.id, { clock, attempts: 10 });
    assert.match(uri, /sig=/);
    assert.ok(emu.requests.filter((r) => /GetPackageUri$/i.test(r.path) && r.status === 404).length >= 1);
  });

  it('a failed action ends the follow with Failed', async () => {
    emu.fleet.setTimeline({ outcome: 'Failed', pendingMs: 0, runMs: 1000 });
    const dev = emu.dataset.device(FIXTURE_DEVICES.quiet);
    const a = await client.collectInvestigationPackage(dev.id, 'c');
    assert.equal((await followAction(client, a.id, { clock })).status, 'Failed');
  });
});
