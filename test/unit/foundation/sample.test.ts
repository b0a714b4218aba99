import * as assert from 'node:assert';
import { isLoopbackUrl, parseSampleRequests, SAMPLE_LABEL, sampleState, withSampleLabel } from '../../../src/core/sample';

describe('sample tenant (unit)', () => {
  const local = 'http://127.0.0.1:41234';
  it('recognises loopback endpoints only', () => {
    for (const url of ['http://127.0.0.1:8080', 'https://127.5.6.7/', 'http://localhost:3000/api', 'http://[::1]:9000']) {
      assert.strictEqual(isLoopbackUrl(url), true, url);
    }
    for (const url of [
      'https://api.securitycenter.microsoft.com',
      'https://graph.microsoft.com',
      'http://127.0.0.1.evil.example/',
      'http://localhost.evil.example',
      'http://10.0.0.1',
      'file:///127.0.0.1',
      'not a url',
      '',
      undefined,
    ]) {
      assert.strictEqual(isLoopbackUrl(url), false, String(url));
    }
  });

  it('is on only when the setting is on and both endpoints are on this machine', () => {
    assert.deepStrictEqual(sampleState({ enabled: true, mdeEndpoint: local, graphEndpoint: `${local}/` }), { active: true });
    assert.deepStrictEqual(sampleState({ enabled: false, mdeEndpoint: local, graphEndpoint: local }), { active: false });
    assert.deepStrictEqual(sampleState({ enabled: undefined, mdeEndpoint: local, graphEndpoint: local }), { active: false });
  });

  it('says why when the setting is on but an endpoint points elsewhere (a token must not leave the machine)', () => {
    const st = sampleState({ enabled: true, mdeEndpoint: 'https://api.securitycenter.microsoft.com', graphEndpoint: local });
    assert.strictEqual(st.active, false);
    assert.match(!st.active && st.reason ? st.reason : '', /defenderTroubleshooting\.mde\.endpoint must point at 127\.0\.0\.1/);
    const both = sampleState({ enabled: true, mdeEndpoint: undefined, graphEndpoint: 'https://graph.microsoft.com' });
    assert.match(!both.active && both.reason ? both.reason : '', /mde\.endpoint and defenderTroubleshooting\.graph\.endpoint/);
  });

  it('labels text as sample data only while the sample is in use', () => {
    assert.strictEqual(withSampleLabel('Hunting results', true), `Hunting results · ${SAMPLE_LABEL}`);
    assert.strictEqual(withSampleLabel(undefined, true), SAMPLE_LABEL);
    assert.strictEqual(withSampleLabel('Hunting results', false), 'Hunting results');
  });

  it('reads the sample emulator\'s requested sessions, leaving out what is not a request', () => {
    const seed = parseSampleRequests({
      runId: 'run-1',
      requests: [
        { deviceId: 'abc', deviceName: 'ws-ops-03.contoso.local', requestedAt: '2026-12-02T10:00:00.000Z' },
        { deviceName: '', requestedAt: '2026-12-02T10:00:00.000Z' },
        { deviceName: 'x', requestedAt: 'soon' },
        { deviceName: 'y' },
        null,
        'z',
      ],
    });
    assert.deepStrictEqual(seed, { runId: 'run-1', requests: [{ deviceId: 'abc', deviceName: 'ws-ops-03.contoso.local', requestedAt: new Date('2026-12-02T10:00:00.000Z') }] });
    for (const bad of [undefined, null, 'x', {}, { runId: '', requests: [] }, { runId: 'r' }, { runId: 'r', requests: {} }]) {
      assert.strictEqual(parseSampleRequests(bad), undefined, JSON.stringify(bad));
    }
    const many = parseSampleRequests({ runId: 'r', requests: Array.from({ length: 500 }, (_, i) => ({ deviceName: `d${i}`, requestedAt: '2026-12-02T10:00:00Z' })) });
    assert.strictEqual(many?.requests.length, 50, 'bounded');
  });
});
