import * as assert from 'node:assert/strict';
import { GraphDetectionRulesClient } from '../../../src/api/graph';
import { DefenderApiError } from '../../../src/api/errors';
import { RestClient } from '../../../src/api/http';
import {
  checkRuleInput,
  CONFIRM_QUERY_LINES,
  confirmationDetail,
  createdRuleMessage,
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
    assert.equal(createdRuleText({ id: 7, schedule: { period: '24H' } }), 'Custom detection rule "The rule" created (id 7); it runs every 24 hours.');
  });

  it('says where the rule is in the portal (Hunting › Custom detection rules, from the docs)', () => {
    const text = createdRuleMessage({ id: '1001', displayName: 'X', schedule: { frequency: 'PT1H' } });
    assert.match(text, /^Custom detection rule "X" created \(id 1001\); it runs every hour\. /);
    assert.match(text, /listed under Hunting › Custom detection rules; select its name there/);
  });

  it('confirms with every chosen value and the query, in a bounded number of lines', () => {
    const body = detectionRuleBody({ ...input, frequency: 'PT3H', severity: 'high' });
    const detail = confirmationDetail('http://127.0.0.1:9/', body).split('\n');
    assert.equal(detail[0], 'POST http://127.0.0.1:9/v1.0/security/rules/detectionRules');
    assert.ok(detail.includes('displayName: Devices in troubleshooting mode'));
    assert.ok(detail.includes('schedule.frequency: PT3H'));
    assert.ok(detail.some((l) => /severity high, category DefenseEvasion, impacted asset deviceId/.test(l)), detail.join('\n'));
    // The seed's 7-line query is shown whole, line by line, with nothing cut.
    assert.deepEqual(detail.slice(detail.indexOf('queryCondition.queryText:') + 1), TROUBLESHOOTING_NOW_QUERY.split('\n'));

    // A long query: at most CONFIRM_QUERY_LINES of it, then how many lines are left out.
    const long = `${TROUBLESHOOTING_NOW_QUERY}\n${Array.from({ length: 40 }, (_, i) => `| extend x${i} = ${i}`).join('\n')}`;
    const longDetail = confirmationDetail('https://graph.microsoft.com', detectionRuleBody({ ...input, queryText: long })).split('\n');
    const q = longDetail.slice(longDetail.indexOf('queryCondition.queryText:') + 1);
    assert.equal(q.length, CONFIRM_QUERY_LINES + 1);
    assert.equal(q.at(-1), '… 35 more lines of the query (the whole request body is in the log)');
    assert.ok(longDetail.length <= 20, `${longDetail.length} lines`);
    // One very long line is bounded by characters too.
    const wide = confirmationDetail('https://graph.microsoft.com', detectionRuleBody({ ...input, queryText: `${TROUBLESHOOTING_NOW_QUERY}\n| where x == "${'a'.repeat(5000)}"` }));
    assert.ok(wide.length < 2000, String(wide.length));
    assert.match(wide, /… 1 more line of the query/);
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
