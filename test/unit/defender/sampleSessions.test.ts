/**
 * Issue #11 item 1: the sample tenant shows sessions "at different stages (requested, active, ending soon, ended)".
 * The sample's emulator (scripts/lib/sample.mjs, what `npm run dev` starts) is asked as the extension asks it: the
 * requested sessions through GET /__sample/requests (parsed by the product's parseSampleRequests), the events through
 * the troubleshooting query over the window the tracker uses, both read by the product's own parsers, and the stages
 * from the product's lifecycle.
 */
import * as assert from 'node:assert/strict';
import { parseSampleRequests } from '../../../src/core/sample';
import { evaluateLifecycle, queryWindowStart } from '../../../src/defender/sessionLifecycle';
import { troubleshootingQuery, troubleshootingTimespan } from '../../../src/defender/sessionPolling';
import { extractTroubleshootEvents } from '../../../src/hunting/model/sessionsFeed';
import { columnsFromSchema, rowsFromResults } from '../../../src/webview-ui/results/model';
import { startApiEmulator } from '../../doubles/api-emulator/server';

describe('the sample tenant\'s sessions (scripts/lib/sample.mjs with the API emulator)', () => {
  it('start with every stage: requested (asked for from VS Code), active, ending soon and ended', async () => {
    const { SAMPLE_DEVICES, sampleSessionScripts } = await import('../../../scripts/lib/sample.mjs');
    const emu = await startApiEmulator({ dataset: { machines: SAMPLE_DEVICES, processEvents: 10 } });
    try {
      for (const script of sampleSessionScripts()) {
        const res = await fetch(`${emu.url}/__admin/troubleshooting`, { method: 'POST', body: JSON.stringify(script) });
        assert.equal(res.status, 200, await res.text());
      }
      const seed = parseSampleRequests(await (await fetch(`${emu.url}/__sample/requests`)).json());
      assert.ok(seed && seed.runId, 'the emulator run has an id');
      assert.deepEqual(seed.requests.map((r) => r.deviceName), ['ws-ops-03.contoso.local']);
      const again = parseSampleRequests(await (await fetch(`${emu.url}/__sample/requests`)).json());
      assert.equal(again?.runId, seed.runId, 'one id per run: the extension records the requests once');

      const now = new Date();
      const minutes = (now.getTime() - queryWindowStart(seed.requests, now).getTime()) / 60_000;
      const res = await fetch(`${emu.url}/v1.0/security/runHuntingQuery`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sample-tenant-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ Query: troubleshootingQuery(minutes), Timespan: troubleshootingTimespan(minutes) }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { schema: { name: string; type: string }[]; results: Record<string, unknown>[] };
      const columns = columnsFromSchema(body.schema);
      const events = extractTroubleshootEvents(columns, rowsFromResults(columns, body.results), troubleshootingQuery(minutes)) ?? [];
      const sessions = evaluateLifecycle(events, seed.requests, { now: () => now });
      const stageOf = (name: string) => sessions.find((s) => s.deviceName === name)?.stage;
      assert.equal(stageOf('ws-ops-03.contoso.local'), 'requested');
      assert.equal(stageOf('ws-fin-01.contoso.local'), 'active');
      assert.equal(stageOf('ws-hr-07.contoso.local'), 'endingSoon');
      assert.equal(stageOf('dev-000045.contoso.local'), 'ended');
    } finally {
      await emu.close();
    }
  });
});
