import * as assert from 'node:assert';
import {
  compareVersions,
  describePrerequisites,
  evaluatePrerequisites,
  factsFromLocal,
  factsFromMachine,
  meetsMinimum,
  type PrerequisiteFacts,
  type PrerequisiteId,
  type PrerequisiteResult,
} from '../../../src/defender/prerequisites';

/** Everything a supported Windows 10/11/Server 2019/2022 device needs besides its build. */
const healthy: PrerequisiteFacts = { avPlatformVersion: '4.18.24050.7', avMode: 'Normal', onboarded: true };
const row = (r: PrerequisiteResult, id: PrerequisiteId) => {
  const found = r.rows.find((x) => x.id === id);
  assert.ok(found, `row ${id} in ${r.rows.map((x) => x.id).join(',')}`);
  return found;
};

describe('prerequisites (unit)', () => {
  describe('numeric version compare', () => {
    it('compares part by part as numbers, not text', () => {
      assert.strictEqual(compareVersions('4.18.2203.10', '4.18.10'), 1);
      assert.strictEqual(compareVersions('4.18.10', '4.18.2203.10'), -1);
      assert.strictEqual(compareVersions('4.18.2207.7', '4.18.2207.10'), -1);
      assert.strictEqual(compareVersions('19044.1618', '19044.1618'), 0);
      assert.strictEqual(compareVersions('4.18', '4.18.0.0'), 0);
      assert.strictEqual(compareVersions('4.18.x', '4.18'), undefined);
    });

    it('meets a minimum, and a shorter version that agrees so far cannot decide', () => {
      assert.strictEqual(meetsMinimum('4.18.2203.10', '4.18.2203'), 'pass');
      assert.strictEqual(meetsMinimum('4.18.10', '4.18.2203'), 'fail');
      assert.strictEqual(meetsMinimum('4.18.2203', '4.18.2203'), 'pass');
      assert.strictEqual(meetsMinimum('19044', '19044.1618'), 'unknown');
      assert.strictEqual(meetsMinimum('19045', '19044.1618'), 'pass');
      assert.strictEqual(meetsMinimum('19043', '19044.1618'), 'fail');
      assert.strictEqual(meetsMinimum(undefined, '1.0'), 'unknown');
      assert.strictEqual(meetsMinimum('garbage', '1.0'), 'unknown');
      assert.strictEqual(meetsMinimum('4', '4.0.0'), 'pass');
    });
  });

  describe("every row of the seed's table", () => {
    // [osPlatform, minimum build, KB, one below (same build), a bare build that cannot decide]
    const osTable: [string, string, string, string][] = [
      ['Windows10', '19041.1620', 'KB5011543', '19041.1619'],
      ['Windows10', '19042.1620', 'KB5011543', '19042.1619'],
      ['Windows10', '19043.1620', 'KB5011543', '19043.1619'],
      ['Windows10', '19044.1618', 'KB5011543', '19044.1617'],
      ['Windows11', '22000.593', 'KB5011563', '22000.592'],
      ['WindowsServer2022', '20348.617', 'KB5011558', '20348.616'],
      ['WindowsServer2019', '17763.2746', 'KB5011551', '17763.2745'],
    ];
    for (const [osPlatform, minimum, kb, below] of osTable) {
      it(`${osPlatform} ≥ ${minimum} (${kb})`, () => {
        const atMin = evaluatePrerequisites({ ...healthy, osPlatform, osBuild: minimum });
        assert.strictEqual(row(atMin, 'os').status, 'pass');
        assert.strictEqual(atMin.verdict, 'pass');
        const under = evaluatePrerequisites({ ...healthy, osPlatform, osBuild: below });
        assert.strictEqual(row(under, 'os').status, 'fail');
        assert.strictEqual(row(under, 'os').kb, kb);
        assert.strictEqual(row(under, 'os').needed, `${minimum} or later`);
        assert.strictEqual(under.verdict, 'fail');
        const bare = evaluatePrerequisites({ ...healthy, osPlatform, osBuild: minimum.split('.')[0] });
        assert.strictEqual(row(bare, 'os').status, 'unknown', 'a bare build equal to the minimum build cannot decide');
        assert.strictEqual(bare.verdict, 'unknown');
        const noBuild = evaluatePrerequisites({ ...healthy, osPlatform });
        assert.strictEqual(row(noBuild, 'os').status, 'unknown');
      });
    }

    it('Windows 10 newer than 21H2 passes on its bare build; older than 20H1 fails', () => {
      assert.strictEqual(row(evaluatePrerequisites({ ...healthy, osPlatform: 'Windows10', osBuild: '19045' }), 'os').status, 'pass');
      assert.strictEqual(row(evaluatePrerequisites({ ...healthy, osPlatform: 'Windows10', osBuild: '18363.1500' }), 'os').status, 'fail');
      assert.strictEqual(row(evaluatePrerequisites({ ...healthy, osPlatform: 'Windows11', osBuild: '22621' }), 'os').status, 'pass');
    });

    for (const osPlatform of ['WindowsServer2016', 'WindowsServer2012R2']) {
      it(`${osPlatform} (modern unified solution): Sense ≥ 10.8049.22439.1084 (KB5005292), platform ≥ 4.18.2207.7 (KB4052623), engine ≥ 1.1.19500.2 (KB2267602)`, () => {
        const good = evaluatePrerequisites({
          osPlatform,
          senseVersion: '10.8049.22439.1084',
          avPlatformVersion: '4.18.2207.7',
          avEngineVersion: '1.1.19500.2',
          avMode: 'Normal',
          onboarded: true,
        });
        assert.deepStrictEqual(good.rows.map((r) => [r.id, r.status]), [
          ['os', 'pass'],
          ['avPlatform', 'pass'],
          ['engine', 'pass'],
          ['sense', 'pass'],
          ['avActive', 'pass'],
          ['onboarded', 'pass'],
        ]);
        assert.strictEqual(good.verdict, 'pass');
        const old = evaluatePrerequisites({
          osPlatform,
          senseVersion: '10.8049.22439.1083',
          avPlatformVersion: '4.18.2207.6',
          avEngineVersion: '1.1.19400.9',
          avMode: 'Normal',
          onboarded: true,
        });
        assert.deepStrictEqual(
          old.rows.filter((r) => r.status === 'fail').map((r) => [r.id, r.kb]),
          [
            ['avPlatform', 'KB4052623'],
            ['engine', 'KB2267602'],
            ['sense', 'KB5005292'],
          ],
        );
        // 4.18.2203 is enough elsewhere but not for the unified solution.
        const midPlatform = evaluatePrerequisites({ ...healthy, osPlatform, avPlatformVersion: '4.18.2205.1', senseVersion: '10.8049.22439.1084', avEngineVersion: '1.1.19500.2' });
        assert.strictEqual(row(midPlatform, 'avPlatform').status, 'fail');
        const missing = evaluatePrerequisites({ osPlatform, avMode: 'Normal', onboarded: true });
        assert.strictEqual(row(missing, 'sense').status, 'unknown');
        assert.strictEqual(missing.verdict, 'unknown');
      });
    }

    it('all devices: Defender Antivirus platform 4.18.2203 or later (KB4052623)', () => {
      const base = { osPlatform: 'Windows11', osBuild: '22631.4000', avMode: 'Normal', onboarded: true };
      assert.strictEqual(row(evaluatePrerequisites({ ...base, avPlatformVersion: '4.18.2203.5' }), 'avPlatform').status, 'pass');
      const old = evaluatePrerequisites({ ...base, avPlatformVersion: '4.18.2202.4' });
      assert.strictEqual(row(old, 'avPlatform').status, 'fail');
      assert.strictEqual(row(old, 'avPlatform').kb, 'KB4052623');
      assert.strictEqual(row(evaluatePrerequisites(base), 'avPlatform').status, 'unknown');
      // Only the unified-solution servers list engine and Sense minimums.
      assert.ok(!evaluatePrerequisites(base).rows.some((r) => r.id === 'engine' || r.id === 'sense'));
    });

    it('all devices: Defender Antivirus actively running', () => {
      const base = { ...healthy, osPlatform: 'Windows11', osBuild: '22631.4000' };
      assert.strictEqual(row(evaluatePrerequisites({ ...base, avMode: 'Normal' }), 'avActive').status, 'pass');
      assert.strictEqual(row(evaluatePrerequisites({ ...base, avMode: 'Passive Mode' }), 'avActive').status, 'fail');
      assert.strictEqual(row(evaluatePrerequisites({ ...base, avMode: 'EDR Block Mode' }), 'avActive').status, 'fail');
      assert.strictEqual(row(evaluatePrerequisites({ ...base, avMode: undefined }), 'avActive').status, 'unknown');
      assert.strictEqual(row(evaluatePrerequisites({ ...base, avMode: 'Something new' }), 'avActive').status, 'unknown');
    });

    it('all devices: MDE tenant-enrolled and active', () => {
      const base = { ...healthy, osPlatform: 'Windows11', osBuild: '22631.4000' };
      assert.strictEqual(evaluatePrerequisites({ ...base, onboarded: false }).verdict, 'fail');
      assert.strictEqual(evaluatePrerequisites({ ...base, onboarded: undefined }).verdict, 'unknown');
    });
  });

  describe('what the facts cannot decide', () => {
    it('a platform the table does not list is unknown, never pass', () => {
      for (const osPlatform of ['macOS', 'Linux', 'Windows7', 'WindowsServer2012', 'WindowsServer2025']) {
        const r = evaluatePrerequisites({ ...healthy, osPlatform, osBuild: '99999.1' });
        assert.strictEqual(row(r, 'os').status, 'unknown', osPlatform);
        assert.strictEqual(r.verdict, 'unknown', osPlatform);
      }
      // A non-Windows platform is not held against Windows' antivirus versions.
      assert.ok(!evaluatePrerequisites({ osPlatform: 'macOS', avPlatformVersion: '101.1' }).rows.some((r) => r.id === 'avPlatform'));
    });

    it('no facts at all: unknown, with every row saying so', () => {
      const r = evaluatePrerequisites({});
      assert.strictEqual(r.verdict, 'unknown');
      assert.ok(r.rows.every((x) => x.status === 'unknown' && x.note));
    });

    it('a failing row wins over unknown rows', () => {
      assert.strictEqual(evaluatePrerequisites({ osPlatform: 'Windows10', osBuild: '19044.1000' }).verdict, 'fail');
    });

    it('platform names match case-insensitively', () => {
      assert.strictEqual(evaluatePrerequisites({ ...healthy, osPlatform: 'windowsserver2019', osBuild: '17763.2746' }).verdict, 'pass');
    });
  });

  describe('facts', () => {
    it('a tenant device: bare build, sensor version, onboarding and health; AV versions unknown remotely', () => {
      const f = factsFromMachine({ osPlatform: 'Windows10', osBuild: 19044, agentVersion: '10.8470.19041.2788', onboardingStatus: 'Onboarded', healthStatus: 'Active' });
      assert.deepStrictEqual(f, { osPlatform: 'Windows10', osBuild: '19044', senseVersion: '10.8470.19041.2788', onboarded: true });
      const r = evaluatePrerequisites(f);
      assert.strictEqual(r.verdict, 'unknown');
      assert.strictEqual(row(r, 'os').status, 'unknown');
      assert.strictEqual(factsFromMachine({ onboardingStatus: 'CanBeOnboarded' }).onboarded, false);
      assert.strictEqual(factsFromMachine({ onboardingStatus: 'onboarded', healthStatus: 'Inactive' }).onboarded, false);
      assert.strictEqual(factsFromMachine({ onboardingStatus: 'Onboarded', healthStatus: 'ImpairedCommunication' }).onboarded, undefined);
      assert.strictEqual(factsFromMachine({ osBuild: null }).osBuild, undefined);
    });

    it('This device: build from os.release, platform where the table names the build, Get-MpComputerStatus versions', () => {
      assert.deepStrictEqual(factsFromLocal({ release: '10.0.22631', productName: 'Windows 10 Enterprise', amProductVersion: '4.18.24050.7', amRunningMode: 'Normal' }), {
        osPlatform: 'Windows11',
        osBuild: '22631',
        avPlatformVersion: '4.18.24050.7',
        avEngineVersion: undefined,
        avMode: 'Normal',
      });
      assert.strictEqual(factsFromLocal({ release: '10.0.19044', revision: 1620 }).osBuild, '19044.1620');
      assert.strictEqual(factsFromLocal({ release: '10.0.17763', productName: 'Windows Server 2019 Datacenter' }).osPlatform, 'WindowsServer2019');
      assert.strictEqual(factsFromLocal({ release: '10.0.14393', productName: 'Windows Server 2016 Standard' }).osPlatform, undefined);
      assert.strictEqual(factsFromLocal({ release: '6.1' }).osPlatform, undefined);
      // VS Code on Linux (the sample tenant's stand-in plays the Windows device): the kernel's version is not a build.
      const linux = factsFromLocal({ platform: 'linux', release: '6.12.44-amd64', productName: '#1 SMP Debian', amProductVersion: '4.18.24050.7' });
      assert.strictEqual(linux.osPlatform, undefined);
      assert.strictEqual(linux.osBuild, undefined);
      assert.strictEqual(linux.avPlatformVersion, '4.18.24050.7', 'what PowerShell read from the device still counts');
      assert.strictEqual(factsFromLocal({ platform: 'win32', release: '10.0.22631' }).osPlatform, 'Windows11');
    });

    it('a summary names each row, what is needed and the KB when it is not a pass', () => {
      const text = describePrerequisites(evaluatePrerequisites({ ...healthy, osPlatform: 'Windows11', osBuild: '22000.500' }));
      assert.match(text, /✗ Windows 11 build: Windows 11 22000\.500 \(needs 22000\.593 or later; KB5011563\)/);
      assert.match(text, /✓ Defender Antivirus platform: 4\.18\.24050\.7 \(needs 4\.18\.2203 or later\)/);
    });
  });
});
