import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { CommandIds, NS } from '../../src/constants';
import { SAMPLE_LABEL } from '../../src/core/sample';
import { REQUESTS_KEY } from '../../src/sessions/tracker';
import { activateExtension, stubber, waitFor } from './helpers';

/**
 * Issue #11 item 1: "Signing in to a real tenant, or a setting, leaves the sample." The test profile's endpoints are
 * the emulator on 127.0.0.1 and This device is the stand-in, as in `npm run dev`; turning `sample.enabled` on makes
 * it the sample tenant. Leaving (from the status bar's command, or by signing in) must take the labels off the views,
 * hide the status-bar item and remove the settings that pointed at this machine. The profile's settings are put back
 * afterwards for the other suites.
 */
describe('leaving the sample tenant (integration)', () => {
  const { stub, restoreAll } = stubber();
  const keys = ['sample.enabled', 'mde.endpoint', 'graph.endpoint', 'powershell.path'] as const;
  let saved: Map<string, unknown>;

  const cfg = () => vscode.workspace.getConfiguration(NS);
  const globalValue = (key: string) => cfg().inspect(key)?.globalValue;

  beforeEach(async () => {
    saved = new Map(keys.map((k) => [k, globalValue(k)]));
    assert.match(String(saved.get('mde.endpoint')), /^http:\/\/127\.0\.0\.1:/, 'the profile points the MDE endpoint at the emulator');
    assert.match(String(saved.get('graph.endpoint')), /^http:\/\/127\.0\.0\.1:/, 'the profile points the Graph endpoint at the emulator');
  });

  afterEach(async () => {
    restoreAll();
    for (const k of keys) {
      if (globalValue(k) !== saved.get(k)) await cfg().update(k, saved.get(k), vscode.ConfigurationTarget.Global);
    }
  });

  async function enterSample() {
    const api = await activateExtension();
    await cfg().update('sample.enabled', true, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.sample.active, 'the sample tenant to be in use');
    assert.strictEqual(api.devices.treeView.description, SAMPLE_LABEL);
    assert.strictEqual(api.sessions.treeView.description, SAMPLE_LABEL);
    return api;
  }

  async function expectLeft(api: Awaited<ReturnType<typeof enterSample>>) {
    // The sample is off as soon as its setting is; the endpoints and the stand-in go right after it.
    await waitFor(() => !api.sample.active && keys.every((k) => globalValue(k) === undefined), 'the sample tenant and its settings to be gone');
    assert.strictEqual(api.devices.treeView.description, undefined, 'no sample label on Devices');
    assert.strictEqual(api.sessions.treeView.description, undefined, 'no sample label on Sessions');
    assert.strictEqual(globalValue('sample.enabled'), undefined);
    assert.strictEqual(globalValue('mde.endpoint'), undefined, 'the emulator endpoint is removed: the real service next');
    assert.strictEqual(globalValue('graph.endpoint'), undefined);
    assert.strictEqual(globalValue('powershell.path'), undefined, 'the PowerShell stand-in is removed');
  }

  it('"Leave Sample" (the status-bar item\'s command) asks, then removes the labels and the sample\'s settings', async () => {
    const api = await enterSample();
    const asked: string[] = [];
    let answer: string | undefined = 'Cancel';
    stub(vscode.window, 'showInformationMessage', (async (message: string, ...rest: unknown[]) => {
      asked.push(message);
      const buttons = rest.filter((r): r is string => typeof r === 'string');
      return buttons.includes(answer ?? '') ? answer : undefined;
    }) as never);
    await vscode.commands.executeCommand(CommandIds.sampleLeave);
    assert.match(asked[0] ?? '', /Leave the sample tenant\?/);
    assert.strictEqual(api.sample.active, true, 'cancelling keeps the sample');
    answer = 'Leave Sample';
    await vscode.commands.executeCommand(CommandIds.sampleLeave);
    await expectLeft(api);
  });

  it('leaving forgets the sessions the sample recorded and shows the real tenant\'s again', async () => {
    const api = await activateExtension();
    const tracker = api.sessionLifecycle.tracker;
    const names = () => tracker.sessions().map((s) => s.deviceName);
    const realBefore = tracker.memento.get<unknown>(REQUESTS_KEY);
    try {
      // A real tenant's request, recorded before the sample is entered.
      await tracker.addRequests([{ deviceName: 'real-device.fabrikam.example', requestedAt: new Date() }]);
      assert.ok(names().includes('real-device.fabrikam.example'));
      await enterSample();
      await waitFor(() => !names().includes('real-device.fabrikam.example'), "the real tenant's session to be kept apart while the sample is in use");
      await tracker.addRequests([{ deviceName: 'ws-sample-req.contoso.local', requestedAt: new Date() }]);
      assert.ok(names().includes('ws-sample-req.contoso.local'));
      stub(vscode.window, 'showInformationMessage', (async () => 'Leave Sample') as never);
      await vscode.commands.executeCommand(CommandIds.sampleLeave);
      await expectLeft(api);
      await waitFor(
        () => names().includes('real-device.fabrikam.example') && !names().includes('ws-sample-req.contoso.local'),
        "the sample's session to go and the real tenant's to come back",
      );
      // Forgotten, not hidden: entering the sample again does not bring it back.
      await cfg().update('sample.enabled', true, vscode.ConfigurationTarget.Global);
      for (const k of ['mde.endpoint', 'graph.endpoint', 'powershell.path'] as const) await cfg().update(k, saved.get(k), vscode.ConfigurationTarget.Global);
      await waitFor(() => api.sample.active, 'the sample tenant to be in use again');
      await waitFor(() => !names().includes('real-device.fabrikam.example'), 'the sample scope again');
      assert.ok(!names().includes('ws-sample-req.contoso.local'), "the sample's old request was forgotten when it was left");
      assert.strictEqual(tracker.memento.get(REQUESTS_KEY), undefined, 'no requests stored for the sample');
    } finally {
      await cfg().update('sample.enabled', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => !api.sample.active, 'the sample to be left');
      await tracker.memento.update(REQUESTS_KEY, realBefore);
      await tracker.reset();
    }
  });

  it('starts with the sessions the sample\'s user requested before VS Code opened (the emulator\'s /__sample/requests)', async () => {
    const api = await activateExtension();
    const emulator = String(saved.get('mde.endpoint'));
    const admin = (method: string, body?: unknown) =>
      fetch(`${emulator}/__admin/troubleshooting`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const res = await admin('POST', { deviceName: 'ws-ops-03', activationDelayMinutes: 60, requestedHere: true });
    assert.strictEqual(res.status, 200, await res.text());
    try {
      await enterSample();
      const tracker = api.sessionLifecycle.tracker;
      await waitFor(() => tracker.sessions().some((s) => s.deviceName === 'ws-ops-03.contoso.local' && s.stage === 'requested'), 'the sample\'s requested session');
      assert.strictEqual(tracker.requests().filter((r) => r.deviceName === 'ws-ops-03.contoso.local').length, 1);
    } finally {
      await admin('DELETE');
      await cfg().update('sample.enabled', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => !api.sample.active, 'the sample to be left');
    }
  });

  it('signing in to a real tenant leaves the sample first', async () => {
    const api = await enterSample();
    const asked: string[] = [];
    stub(vscode.window, 'showInformationMessage', (async (message: string) => {
      asked.push(message);
      return 'Leave Sample and Sign In';
    }) as never);
    const signIns: unknown[] = [];
    stub(vscode.authentication, 'getSession', (async (_provider: string, _scopes: readonly string[], options?: vscode.AuthenticationGetSessionOptions) => {
      if (options?.silent) return undefined;
      // The real sign-in happens after the sample's settings are gone: it goes to the configured (real) service.
      signIns.push({ sampleEnabled: globalValue('sample.enabled'), mde: globalValue('mde.endpoint') });
      return { id: 's', accessToken: 'real-tenant-token', account: { id: 'a', label: 'admin@contoso.example' }, scopes: [] };
    }) as unknown as typeof vscode.authentication.getSession);
    await vscode.commands.executeCommand(CommandIds.signIn);
    assert.match(asked[0] ?? '', /Signing in to your tenant leaves the sample/);
    assert.deepStrictEqual(signIns, [{ sampleEnabled: undefined, mde: undefined }]);
    await expectLeft(api);
  });
});
