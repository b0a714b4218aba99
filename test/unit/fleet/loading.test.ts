import * as assert from 'node:assert/strict';
import { RestClient } from '../../../src/api/http';
import { MdeClient, type PagerWait } from '../../../src/api/mde';
import { MACHINES_RATE, PACKAGE_URI_RATE, RateLimiter } from '../../../src/api/rateLimiter';
import { FleetTreeModel } from '../../../src/defender/deviceGrouping';
import { loadFleet, progressText, waitText } from '../../../src/defender/fleetLoader';
import { isCancellation } from '../../../src/core/errors';
import { machineNode } from '../../../src/defender/fleet';
import { startApiEmulator, type RunningEmulator } from '../../doubles/api-emulator/server';
import { FakeClock, tokenSource } from '../api/helpers';

describe('rate limiter (unit)', () => {
  it('lets 100 calls through in a minute, then waits for the oldest to leave the window', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(MACHINES_RATE, clock);
    for (let i = 0; i < 100; i++) await limiter.acquire();
    assert.deepEqual(clock.sleeps, []);
    await limiter.acquire();
    assert.deepEqual(clock.sleeps, [60_000]);
    assert.equal(limiter.used(60_000), 1);
  });

  it('holds to 1,500 an hour even when every minute is under 100', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(MACHINES_RATE, clock);
    for (let i = 0; i < 1500; i++) {
      await limiter.acquire();
      clock.current += 2_000; // 30 a minute
    }
    const before = clock.current;
    clock.sleeps.length = 0;
    await limiter.acquire();
    // The first call (t=0) leaves the hour window at t=3,600,000.
    assert.equal(clock.current, 3_600_000);
    assert.equal(clock.sleeps.length, 1);
    assert.ok(before < 3_600_000);
  });

  it('GetPackageUri: a third call within a minute waits', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(PACKAGE_URI_RATE, clock);
    await limiter.acquire();
    clock.current += 10_000;
    await limiter.acquire();
    const waits: number[] = [];
    await limiter.acquire(undefined, (ms) => waits.push(ms));
    assert.deepEqual(waits, [50_000]);
  });

  it('pauses every caller for a Retry-After and stops waiting when aborted', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(MACHINES_RATE, clock);
    limiter.pauseFor(7_000);
    await limiter.acquire();
    assert.deepEqual(clock.sleeps, [7_000]);
    const controller = new AbortController();
    controller.abort();
    limiter.pauseFor(1_000);
    await assert.rejects(limiter.acquire(controller.signal), (e: unknown) => isCancellation(e));
  });
});

describe('loading a large tenant (unit, in-process emulator)', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let clock: FakeClock;

  afterEach(async () => {
    await emu?.close();
  });

  async function setup(count: number, extra: Parameters<typeof startApiEmulator>[0] = {}) {
    clock = new FakeClock();
    emu = await startApiEmulator({ clock, ...extra });
    emu.dataset.resizeDevices(count);
    const rest = new RestClient({ baseUrl: emu.url, getToken: tokenSource().getToken, clock });
    return new MdeClient(rest, { limiter: new RateLimiter(MACHINES_RATE, clock), clock });
  }

  it('loads 30,000 devices in 10,000-device pages through 429s and 5xx, losing none, with progress after each page', async () => {
    const client = await setup(30_000);
    emu.addFaults([
      { kind: '429', count: 1, retryAfter: 3, path: '/api/machines' },
      { kind: '500', count: 2, path: '/api/machines' },
      { kind: '503', count: 1, path: '/api/machines' },
    ]);
    const model = new FleetTreeModel();
    const progress: string[] = [];
    const waits: PagerWait[] = [];
    const firstGroups: string[] = [];
    const result = await loadFleet(client, model, {
      onPage: (p) => {
        progress.push(progressText(p.loaded));
        if (p.pages === 1) {
          firstGroups.push(...model.rows({ groupBy: 'osPlatform', deviceRow: (m, id) => machineNode(m, new Date(), { rowId: id }), parentId: 'p' }).map((r) => `${r.label}: ${r.description}`));
        }
      },
      onWait: (w) => waits.push(w),
    });
    assert.equal(result.loaded, 30_000);
    assert.equal(new Set(model.machines.map((m) => m.id)).size, 30_000);
    assert.deepEqual(progress, ['10,000 of ? devices', '20,000 of ? devices', '30,000 of ? devices']);
    // Groups were there after the first page, before the last one arrived.
    assert.ok(firstGroups.length >= 5, firstGroups.join('\n'));
    const tops = emu.requests.filter((r) => r.path === '/api/machines' && r.status === 200).map((r) => new URLSearchParams(r.query).get('$top'));
    assert.deepEqual(tops, ['10000', '10000', '10000']);
    // The 500s were asked again by the pager (the HTTP client does not retry a 500); 429 and 503 by the client.
    assert.ok(waits.some((w) => w.reason === 'backoff' && w.status === 500), JSON.stringify(waits));
    assert.equal(emu.requests.filter((r) => r.status === 429).length, 1);
  });

  it('waits out the emulator\'s own 100/min budget instead of failing', async () => {
    const client = await setup(2_500, { machinesPerMinute: 3 });
    const model = new FleetTreeModel();
    await loadFleet(client, model, { pageSize: 500 });
    assert.equal(model.count, 2_500);
    assert.ok(emu.requests.some((r) => r.status === 429), 'the small budget was hit');
  });

  it('keeps a long Retry-After (over the client\'s 60 s bound) as a wait the UI can show, then goes on', async () => {
    const client = await setup(12_000);
    emu.addFaults([{ kind: '429', count: 1, retryAfter: 600, path: '/api/machines' }]);
    const waits: PagerWait[] = [];
    const model = new FleetTreeModel();
    await loadFleet(client, model, { onWait: (w) => waits.push(w) });
    assert.equal(model.count, 12_000);
    const long = waits.find((w) => w.reason === 'retry-after');
    assert.equal(long?.ms, 600_000);
    assert.equal(waitText(long!), 'the API asked to wait 600 s (429)');
  });

  it('stops on cancel, keeping the pages loaded so far', async () => {
    const client = await setup(30_000);
    const controller = new AbortController();
    const model = new FleetTreeModel();
    const err = await loadFleet(client, model, {
      signal: controller.signal,
      onPage: (p) => p.pages === 1 && controller.abort(),
    }).catch((e: unknown) => e);
    assert.ok(isCancellation(err), String(err));
    assert.equal(model.count, 10_000);
  });

  it('sends the $filter and honours an optional user limit', async () => {
    const client = await setup(5_000);
    const model = new FleetTreeModel();
    const r = await loadFleet(client, model, { filter: "osPlatform eq 'Linux' and contains(machineTags,'pilot')", maxCount: 100 });
    assert.equal(r.stoppedAtMax, true);
    assert.equal(model.count, 100);
    assert.ok(model.machines.every((m) => m.osPlatform === 'Linux' && (m.machineTags ?? []).includes('pilot')));
  });
});
