import * as assert from 'node:assert';
import { CLEAN_TARGET, corpusReport, formatCorpusReport, isDefenderQuery, readCorpus } from './corpus';
import { kustoErrors, sharedService } from './kustoFixture';

describe('kql corpus (../shared/kql-corpus)', function () {
  this.timeout(300_000);
  const queries = readCorpus();

  it(`leaves at least ${CLEAN_TARGET * 100} % of the Defender queries without any error`, function () {
    if (queries.length === 0) this.skip();
    const report = corpusReport(sharedService(), queries);
    assert.deepStrictEqual(kustoErrors.splice(0), [], 'Kusto threw');
    assert.ok(report.defender > 300, `most corpus queries are Defender queries (${report.defender})`);
    assert.ok(report.defenderClean / report.defender >= CLEAN_TARGET, formatCorpusReport(report));
  });

  it('tells Defender queries from others', () => {
    const schema = sharedService().currentSchema;
    assert.ok(isDefenderQuery('DeviceEvents | take 1', schema));
    assert.ok(isDefenderQuery('DeviceNetworkEvents | project IP = LocalIP | invoke DeviceFromIP()', schema));
    assert.ok(!isDefenderQuery('SecurityEvent | take 1 // DeviceEvents in a comment', schema));
    assert.ok(!isDefenderQuery('print x = 1', schema));
  });
});
