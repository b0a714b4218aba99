import * as assert from 'node:assert/strict';
import { formatDuration, isPassiveMode, parseComputerStatus, parseExpirationLeft, parseLocalDate, parseWithPattern } from '../../../src/defender/computerStatus';

const NOW = new Date(2024, 5, 5, 14, 0, 0);

describe('Get-MpComputerStatus parsing', () => {
  it('reads the documented "not in troubleshooting mode" sample (defender.md §2.3)', () => {
    const s = parseComputerStatus({
      TroubleShootingDailyMaxQuota: '480', TroubleShootingDailyQuotaLeft: '479', TroubleShootingEndTime: 'INFINITE',
      TroubleShootingExpirationLeft: 'INFINITE', TroubleShootingMode: 'Disabled', TroubleShootingModeSource: 'ATP',
      TroubleShootingQuotaResetTime: '6/5/2024 4:47:42 PM', TroubleShootingStartTime: 'N/A',
      IsTamperProtected: true, TamperProtectionSource: 'ATP', RealTimeProtectionEnabled: true, AMRunningMode: 'Normal',
      AMProductVersion: '4.18.24050.7',
    }, NOW);
    assert.equal(s.troubleshooting.active, false);
    assert.equal(s.troubleshooting.startTime, undefined);
    assert.equal(s.troubleshooting.endTime, undefined);
    assert.equal(s.troubleshooting.timeLeftMs, undefined);
    assert.equal(s.troubleshooting.dailyMaxQuota, 480);
    assert.equal(s.troubleshooting.dailyQuotaLeft, 479);
    assert.deepEqual(s.troubleshooting.quotaResetTime, new Date(2024, 5, 5, 16, 47, 42));
    assert.equal(s.isTamperProtected, true);
    assert.equal(s.tamperProtectionSource, 'ATP');
    assert.equal(s.amProductVersion, '4.18.24050.7');
  });

  it('computes time left from the end time while active', () => {
    const s = parseComputerStatus({ TroubleShootingMode: 'Enabled', TroubleShootingStartTime: '6/5/2024 12:41:00 PM', TroubleShootingEndTime: '6/5/2024 4:41:00 PM', TroubleShootingExpirationLeft: '02:41:00' }, NOW);
    assert.equal(s.troubleshooting.active, true);
    assert.equal(s.troubleshooting.timeLeftMs, (2 * 60 + 41) * 60_000);
  });

  it('treats an end time in the past as ended even if the mode still says Enabled', () => {
    const s = parseComputerStatus({ TroubleShootingMode: 'Enabled', TroubleShootingEndTime: '6/5/2024 1:00:00 PM' }, NOW);
    assert.equal(s.troubleshooting.active, false);
  });

  it('falls back to ExpirationLeft when the end time cannot be read', () => {
    const s = parseComputerStatus({ TroubleShootingMode: 'Enabled', TroubleShootingEndTime: 'sometime', TroubleShootingExpirationLeft: '01:00:00' }, NOW);
    assert.equal(s.troubleshooting.timeLeftMs, 3600_000);
  });

  it('is "unknown" on old platforms (fields empty or missing)', () => {
    for (const raw of [{}, { TroubleShootingMode: '', TroubleShootingEndTime: '' }, { TroubleShootingMode: null }]) {
      const s = parseComputerStatus(raw, NOW);
      assert.equal(s.troubleshooting.active, undefined);
    }
  });

  it('never throws on wrong types', () => {
    for (const raw of [null, 42, 'x', [], { IsTamperProtected: 'yes', TroubleShootingMode: 7, AMRunningMode: {} }]) {
      const s = parseComputerStatus(raw, NOW);
      assert.equal(typeof s.troubleshooting, 'object');
    }
    assert.equal(parseComputerStatus({ IsTamperProtected: 'True' }, NOW).isTamperProtected, true);
  });

  it('parses localized dates with and without the device culture', () => {
    assert.deepEqual(parseLocalDate('05.06.2024 16:47:42'), new Date(2024, 5, 5, 16, 47, 42));
    assert.deepEqual(parseLocalDate('05/06/2024 16:47:42', { datePattern: 'dd/MM/yyyy', timePattern: 'HH:mm:ss' }), new Date(2024, 5, 5, 16, 47, 42));
    assert.deepEqual(parseLocalDate('2024-06-05 16:47:42'), new Date(2024, 5, 5, 16, 47, 42));
    assert.deepEqual(parseLocalDate('6/5/2024 12:05:00 AM'), new Date(2024, 5, 5, 0, 5, 0));
    assert.deepEqual(parseLocalDate('2024-06-05T14:47:42.0000000Z'), new Date(Date.UTC(2024, 5, 5, 14, 47, 42)));
    assert.deepEqual(parseLocalDate('\\/Date(1717598862000)\\/'), new Date(1717598862000));
    for (const p of ['INFINITE', 'N/A', '', undefined, 'garbage', '13/45/2024 1:00:00 PM']) assert.equal(parseLocalDate(p), undefined);
    assert.equal(parseWithPattern('31.02.2024 10:00:00', 'dd.MM.yyyy HH:mm:ss'), undefined, 'no 31 February');
  });

  it('reads ExpirationLeft as a TimeSpan or minutes', () => {
    assert.equal(parseExpirationLeft('02:41:10'), (2 * 3600 + 41 * 60 + 10) * 1000);
    assert.equal(parseExpirationLeft('1.00:00:00'), 24 * 3600_000);
    assert.equal(parseExpirationLeft('161'), 161 * 60_000);
    assert.equal(parseExpirationLeft('INFINITE'), undefined);
  });

  it('recognises passive modes and formats durations', () => {
    assert.ok(isPassiveMode('Passive Mode'));
    assert.ok(isPassiveMode('SxS Passive Mode'));
    assert.ok(isPassiveMode('EDR Block Mode'));
    assert.ok(!isPassiveMode('Normal'));
    assert.equal(formatDuration(2 * 3600_000 + 41 * 60_000), '2h 41m');
    assert.equal(formatDuration(12 * 60_000), '12m');
    assert.equal(formatDuration(10_000), '<1m');
  });
});
