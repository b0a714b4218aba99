import * as assert from 'node:assert';
import { describeColumn } from '../../../src/kql/schema/columnDescriptions';

describe('kql/schema column descriptions', () => {
  it("gives the Device* event and info tables DeviceEvents' wording, a column's own description first", () => {
    assert.match(describeColumn('DeviceProcessEvents', 'AdditionalFields') ?? '', /parse_json/);
    assert.match(describeColumn('DeviceInfo', 'DeviceName') ?? '', /FQDN/);
    assert.strictEqual(describeColumn('DeviceInfo', 'DeviceName', 'own words'), 'own words');
    assert.strictEqual(describeColumn('EmailEvents', 'ReportId'), undefined);
  });

  it('leaves the vulnerability-management and baseline tables alone, where the same names differ', () => {
    // DeviceTvmHardwareFirmware.AdditionalFields is dynamic: "a string: use parse_json" would be wrong there.
    assert.strictEqual(describeColumn('DeviceTvmHardwareFirmware', 'AdditionalFields'), undefined);
    assert.strictEqual(describeColumn('DeviceBaselineComplianceAssessment', 'DeviceName'), undefined);
  });
});
