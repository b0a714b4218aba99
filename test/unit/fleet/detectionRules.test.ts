import * as assert from 'node:assert/strict';
import { GraphDetectionRulesClient } from '../../../src/api/graph';
import { DefenderApiError } from '../../../src/api/errors';
import { RestClient } from '../../../src/api/http';
import {
  checkRuleInput,
  createdRuleText,
  DetectionRuleError,
  detectionRuleBody,
  isGlobalGraph,
  TROUBLESHOOTING_NOW_QUERY,
} from '../../../src/defender/detectionRules';
import { validateRule } from '../../doubles/api-emulator/fleetRoutes';
import { startApiEmulator, type RunningEmulator } from '../../doubles/api-emulator/server';
import { tokenSource } from '../api/helpers';

const input = { name: 'Devices in troubleshooting mode', queryText: TROUBLESHOOTING_NOW_QUERY, frequency: 'PT1H' as const, severity: 'medium' as const };

describe('detection rule body (unit)', () => {
  it('builds the documented detectionRule shape with v1.0 schedule.frequency and a device as impacted asset', () => {
    const body = detectionRuleBody(input) as any;
    assert.equal(body.displayName, 'Devices in troubleshooting mode');
    assert.equal(body.isEnabled, true);
    assert.equal(body.queryCondition.queryText, TROUBLESHOOTING_NOW_QUERY);
    assert.deepEqual(body.schedule, { frequency: 'PT1H' });
    assert.equal(body.detectionAction.alertTemplate.severity, 'medium');
    assert.equal(body.detectionAction.alertTemplate.category, 'DefenseEvasion');
    assert.deepEqual(body.detectionAction.alertTemplate.impactedAssets, [{ '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' }]);
    assert.equal(validateRule(body), undefined, 'the emulator (validating like Graph) accepts it');
  });

  it("the seed's troubleshooting query returns what a detection needs; a bare query does not", () => {
    assert.deepEqual(checkRuleInput(input), []);
    const bare = checkRuleInput({ ...input, queryText: 'DeviceEvents | where ActionType == "AntivirusTroubleshootModeEvent" | project DeviceName' });
    assert.equal(bare.length, 3);
    assert.match(bare.join(' '), /DeviceId/);
    // Only a comment mentioning the columns does not count.
    assert.equal(checkRuleInput({ ...input, queryText: 'DeviceEvents // DeviceId Timestamp ReportId' }).length, 3);
    assert.throws(() => detectionRuleBody({ ...input, name: ' ' }), DetectionRuleError);
    assert.throws(() => detectionRuleBody({ ...input, severity: 'critical' as never }), /severity/);
  });

  it('the emulator rejects what Graph documents as invalid', () => {
    const ok = detectionRuleBody(input) as any;
    assert.match(validateRule({ ...ok, schedule: { frequency: 'PT2H' } }) ?? '', /frequency/);
    assert.match(validateRule({ ...ok, schedule: { period: '2H' } }) ?? '', /period/);
    assert.match(validateRule({ ...ok, displayName: '' }) ?? '', /displayName/);
    assert.match(validateRule({ ...ok, queryCondition: { queryText: 'DeviceEvents | project DeviceId, Timestamp' } }) ?? '', /ReportId/);
  });

  it('is for the global service only and summarises the created rule', () => {
    assert.equal(isGlobalGraph('https://graph.microsoft.com'), true);
    assert.equal(isGlobalGraph('http://127.0.0.1:1234'), true);
    assert.equal(isGlobalGraph('https://graph.microsoft.us'), false);
    assert.equal(isGlobalGraph('https://dod-graph.microsoft.us'), false);
    assert.equal(createdRuleText({ id: '1001', displayName: 'X', schedule: { frequency: 'PT3H' } }), 'Custom detection rule "X" created (id 1001); it runs every 3 hours.');
  });
});

describe('creating a detection rule on the emulator (unit)', () => {
  let emu: RunningEmulator;
  afterEach(async () => emu?.close());

  it('POSTs to /v1.0/security/rules/detectionRules and gets 201 with the rule; a bad body is a typed 400', async () => {
    emu = await startApiEmulator();
    const client = new GraphDetectionRulesClient(new RestClient({ baseUrl: emu.url, getToken: tokenSource().getToken }));
    const rule = await client.create(detectionRuleBody(input));
    assert.equal(rule.displayName, input.name);
    assert.ok(rule.id && rule.detectorId);
    assert.equal(emu.fleet.rules.length, 1);
    const req = emu.requests.find((r) => r.method === 'POST' && /detectionRules$/.test(r.path));
    assert.equal(req?.path, '/v1.0/security/rules/detectionRules');
    const err = await client.create({ displayName: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof DefenderApiError && err.status === 400, String(err));
    assert.match(err.message, /queryText/);
  });
});
