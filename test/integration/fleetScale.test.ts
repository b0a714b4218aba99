import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { RestClient } from '../../src/api/http';
import { MdeClient, type PagerWait } from '../../src/api/mde';
import { MACHINES_RATE, RateLimiter } from '../../src/api/rateLimiter';
import { FleetTreeModel } from '../../src/defender/deviceGrouping';
import { machineNode } from '../../src/defender/fleet';
import { loadFleet } from '../../src/defender/fleetLoader';
import { activateExtension } from './helpers';

// The emulator the lane started (test/fixtures/user-settings.json points mde.endpoint at it). Listing through
// the extension's own view needs an interactive consent that extension-test mode refuses (see fleet.test.ts),
// so this drives the same loader and tree model the view uses, in the extension host, over real HTTP.
const emulatorUrl = () => vscode.workspace.getConfiguration('defenderTroubleshooting').get<string>('mde.endpoint') ?? '';

async function admin(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${emulatorUrl()}${path}`, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  assert.ok(res.ok, `${path} → ${res.status}`);
  return res.json();
}

describe('tenant devices at scale (integration)', function () {
  this.timeout(300_000);

  after(async () => {
    await admin('/__admin/devices', { count: 40 });
    await fetch(`${emulatorUrl()}/__admin/faults`, { method: 'DELETE' });
    await admin('/__admin/reset', {});
  });

  it('loads 100,000 devices page by page through injected 429s and 5xx, losing none, groups first', async () => {
    await activateExtension();
    assert.match(emulatorUrl(), /^http:\/\/127\.0\.0\.1:\d+$/);
    await admin('/__admin/reset', {});
    assert.deepStrictEqual(await admin('/__admin/devices', { count: 100_000 }), { count: 100_000 });
    await admin('/__admin/faults', {
      faults: [
        { kind: '429', count: 1, retryAfter: 1, path: '/api/machines' },
        { kind: '500', count: 1, path: '/api/machines' },
        { kind: '503', count: 2, path: '/api/machines' },
        { kind: 'reset', count: 1, path: '/api/machines' },
      ],
    });
    const rest = new RestClient({ baseUrl: emulatorUrl(), getToken: async () => 'defender-test-token', retry: { baseDelayMs: 200 } });
    const client = new MdeClient(rest, { limiter: new RateLimiter(MACHINES_RATE) });
    const model = new FleetTreeModel();
    const deviceRow = (m: Parameters<typeof machineNode>[0], id: string) => machineNode(m, new Date(), { rowId: id });
    const waits: PagerWait[] = [];
    let groupsAfterFirstPage: string[] = [];
    const started = Date.now();
    const result = await loadFleet(client, model, {
      onPage: (p) => {
        if (p.pages === 1) {
          groupsAfterFirstPage = model.rows({ groupBy: 'osPlatform', deviceRow, parentId: 'devices/tenant' }).map((r) => `${r.label} (${r.description})`);
        }
      },
      onWait: (w) => waits.push(w),
    });
    const elapsed = Date.now() - started;
    assert.strictEqual(result.loaded, 100_000);
    assert.strictEqual(new Set(model.machines.map((m) => m.id)).size, 100_000);
    assert.ok(groupsAfterFirstPage.length >= 5, `groups after page 1: ${groupsAfterFirstPage.join(', ')}`);
    const groups = model.rows({ groupBy: 'osPlatform', deviceRow, parentId: 'devices/tenant' });
    const counted = groups.reduce((n, g) => n + Number(String(g.description).replace(/\D/g, '')), 0);
    assert.strictEqual(counted, 100_000, groups.map((g) => `${g.label} ${g.description}`).join('\n'));
    const log = (await admin('/__admin/requests', undefined)) as { requests: { path: string; query: string; status: number }[] };
    const machineCalls = log.requests.filter((r) => r.path === '/api/machines');
    const ok = machineCalls.filter((r) => r.status === 200);
    assert.strictEqual(ok.length, 10, 'ten pages of 10,000');
    assert.ok(ok.every((r) => new URLSearchParams(r.query).get('$top') === '10000'));
    assert.ok(machineCalls.some((r) => r.status === 429) && machineCalls.some((r) => r.status === 500) && machineCalls.some((r) => r.status === 503));
    assert.ok(machineCalls.length <= 100, `${machineCalls.length} calls stay within the 100/min budget`);
    console.log(`      100,000 devices in ${result.pages} pages, ${machineCalls.length} calls, ${elapsed} ms, waits: ${waits.map((w) => `${w.reason}${w.status ? ` ${w.status}` : ''}`).join(', ')}`);
  });
});
