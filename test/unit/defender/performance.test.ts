import * as assert from 'node:assert/strict';
import {
  analyzerReadiness,
  compareVersions,
  FILETIME_UNIX_EPOCH,
  fileTimeToDate,
  formatMs,
  isWprBusy,
  parseJsonExact,
  parsePerformanceReport,
  PerformanceValueError,
  recordingScript,
  reportScript,
  reportTables,
  ticksToMs,
  topFindings,
} from '../../../src/defender/performance';

/** A -Raw report as Get-MpPerformanceReport prints it with ConvertTo-Json (ticks and FILETIMEs as integers). */
const FT = '134091072000000000'; // 2025-12-02T00:00:00Z
const scan = (path: string, duration: number, proc = 'C:\\Windows\\explorer.exe') =>
  `{"ScanType":"File","StartTime":${FT},"EndTime":${BigInt(FT) + BigInt(duration)},"Duration":${duration},"Reason":"OnOpen","Path":${JSON.stringify(path)},"ProcessPath":${JSON.stringify(proc)},"ProcessId":4242,"SkipReason":"Not Skipped"}`;
const stats = (total: number, count: number) =>
  `"Count":${count},"TotalDuration":${total},"MinDuration":1000,"AverageDuration":${Math.floor(total / count)},"MaxDuration":${total - 1000},"MedianDuration":5000`;
const RAW = `{
 "TopFiles":[{${stats(50000000, 3)},"Path":"C:\\\\db\\\\data.mdf","Scans":[${scan('C:\\db\\data.mdf', 30000000)}],"Processes":[{${stats(40000000, 2)},"ProcessPath":"C:\\\\db\\\\sqlservr.exe"}]}],
 "TopExtensions":[{${stats(12345, 1)},"Extension":".log","Files":[{${stats(12345, 1)},"Path":"C:\\\\logs\\\\a.log"}],"Paths":[{${stats(12345, 1)},"Path":"C:\\\\logs"}]},
                  {${stats(80000000, 9)},"Extension":".mdf","Files":[{${stats(50000000, 3)},"Path":"C:\\\\db\\\\data.mdf"}]}],
 "TopProcesses":[{${stats(40000000, 2)},"ProcessPath":"C:\\\\db\\\\sqlservr.exe","Files":[{${stats(40000000, 2)},"Path":"C:\\\\db\\\\data.mdf","Scans":[${scan('C:\\db\\data.mdf', 20000000, 'C:\\db\\sqlservr.exe')}]}]}],
 "TopPaths":[{${stats(70000000, 4)},"Path":"C:\\\\db","Processes":[{${stats(40000000, 2)},"ProcessPath":"C:\\\\db\\\\sqlservr.exe"}]}],
 "TopScans":[${scan('C:\\x\\small.txt', 100)},${scan('C:\\db\\data.mdf', 30000000)}]
}`;

describe('performance: converters (unit)', () => {
  it('ticksToMs converts 100-ns ticks exactly, from numbers, bigints and numeric strings', () => {
    assert.equal(ticksToMs(10000), 1);
    assert.equal(ticksToMs(12345), 1.2345);
    assert.equal(ticksToMs(0), 0);
    assert.equal(ticksToMs('20000000'), 2000);
    assert.equal(ticksToMs(' 5 '), 0.0005);
    assert.equal(ticksToMs(10000n), 1);
    // Beyond 2^53 ticks: whole milliseconds are kept exactly.
    assert.equal(ticksToMs(90071992547409920000n), 9007199254740992);
    assert.equal(Math.floor(ticksToMs(12345678901234567891n)), 1234567890123456);
    assert.equal(ticksToMs('-10000'), -1);
  });

  it('ticksToMs rejects garbage clearly', () => {
    for (const bad of ['', 'abc', '1.5', '1e7', '0x10', NaN, Infinity, 1.5, null, undefined, {}, [] as unknown]) {
      assert.throws(() => ticksToMs(bad as number), (e: unknown) => e instanceof PerformanceValueError && /Expected a duration in 100-ns ticks/.test((e as Error).message), String(bad));
    }
  });

  it('fileTimeToDate converts FILETIME (100 ns since 1601 UTC) exactly to the millisecond', () => {
    assert.equal(fileTimeToDate(FILETIME_UNIX_EPOCH).toISOString(), '1970-01-01T00:00:00.000Z');
    assert.equal(fileTimeToDate(FT).toISOString(), '2025-12-02T00:00:00.000Z');
    assert.equal(fileTimeToDate(BigInt(FT) + 12_345_678n).toISOString(), '2025-12-02T00:00:01.234Z');
    assert.equal(fileTimeToDate(0).toISOString(), '1601-01-01T00:00:00.000Z');
    // Before 1970, sub-millisecond ticks floor to the earlier millisecond.
    assert.equal(fileTimeToDate(FILETIME_UNIX_EPOCH - 1n).toISOString(), '1969-12-31T23:59:59.999Z');
    // A number input (already a double) that is still an integer.
    assert.equal(fileTimeToDate(116444736000000000).getTime(), 0);
  });

  it('fileTimeToDate rejects garbage, negatives and values beyond a Date', () => {
    for (const bad of ['x', '-1', -1, 1.25, '2025-12-02', 10n ** 30n]) {
      assert.throws(() => fileTimeToDate(bad as string), PerformanceValueError, String(bad));
    }
  });

  it('parseJsonExact keeps long integers exact as strings and never touches string contents', () => {
    const v = parseJsonExact('{"a":134089056000000001,"b":12,"c":"x,1234567890123456789,y","d":[-1234567890123456789,1.5e3],"e":"q\\"134089056000000001"}') as Record<string, unknown>;
    assert.equal(v.a, '134089056000000001');
    assert.equal(v.b, 12);
    assert.equal(v.c, 'x,1234567890123456789,y');
    assert.deepEqual(v.d, ['-1234567890123456789', 1500]);
    assert.equal(v.e, 'q"134089056000000001');
  });
});

describe('performance: report model (unit)', () => {
  const report = parsePerformanceReport(RAW);

  it('reads the -Raw report: top lists sorted by total scan time, nested lists, ticks and FILETIMEs converted', () => {
    assert.deepEqual(report.topExtensions.map((e) => e.key), ['.mdf', '.log']);
    assert.equal(report.topFiles[0].stats.totalMs, 5000);
    assert.equal(report.topFiles[0].stats.count, 3);
    assert.equal(report.topFiles[0].scans[0].start?.toISOString(), '2025-12-02T00:00:00.000Z');
    assert.equal(report.topFiles[0].scans[0].end?.toISOString(), '2025-12-02T00:00:03.000Z');
    assert.equal(report.topFiles[0].scans[0].processId, 4242);
    assert.equal(report.topFiles[0].scans[0].skipReason, 'Not Skipped');
    assert.equal(report.topProcesses[0].key, 'C:\\db\\sqlservr.exe');
    assert.equal(report.topScans[0].durationMs, 3000);
    assert.ok(report.hasPaths);
    assert.equal(parsePerformanceReport('{"TopFiles":[]}').hasPaths, false);
    assert.throws(() => parsePerformanceReport('[]'), /no report object/);
  });

  it('builds every table the seed names: top lists and the combinations, with exclusion targets', () => {
    const tables = reportTables(report);
    const ids = tables.map((t) => t.id);
    for (const id of ['topFiles', 'topExtensions', 'topProcesses', 'topPaths', 'topScans', 'filesPerExtension', 'pathsPerExtension', 'processesPerPath', 'scansPerFile', 'scansPerFilePerProcess']) {
      assert.ok(ids.includes(id), `missing ${id} in ${ids.join(', ')}`);
    }
    const byId = new Map(tables.map((t) => [t.id, t]));
    assert.deepEqual(byId.get('filesPerExtension')!.rows.map((r) => [r.parents, r.key]), [[['.mdf'], 'C:\\db\\data.mdf'], [['.log'], 'C:\\logs\\a.log']]);
    assert.deepEqual(byId.get('pathsPerExtension')!.rows[0].exclusion, { list: 'paths', value: 'C:\\logs' });
    assert.deepEqual(byId.get('processesPerPath')!.rows[0].exclusion, { list: 'processes', value: 'C:\\db\\sqlservr.exe' });
    const perFilePerProcess = byId.get('scansPerFilePerProcess')!;
    assert.deepEqual(perFilePerProcess.parentColumns, ['Process', 'File']);
    assert.deepEqual(perFilePerProcess.rows[0].parents, ['C:\\db\\sqlservr.exe', 'C:\\db\\data.mdf']);
    assert.equal(perFilePerProcess.rows[0].totalMs, 2000);
    assert.deepEqual(byId.get('topExtensions')!.rows[0].exclusion, { list: 'extensions', value: '.mdf' });
    // A module without TopPaths: those tables are left out rather than shown empty.
    const noPaths = reportTables(parsePerformanceReport('{"TopFiles":[{"Count":1,"TotalDuration":1,"Path":"C:\\\\a"}]}'));
    assert.deepEqual(noPaths.map((t) => t.id), ['topFiles']);
    assert.equal(topFindings(report, 1).length, 4);
    assert.equal(formatMs(1.2345), '1.2345 ms');
    assert.equal(formatMs(2500), '2.50 s');
  });
});

describe('performance: requirements and scripts (unit)', () => {
  it('checks platform ≥ 4.18.2108.7 first, then elevation', () => {
    assert.equal(compareVersions('4.18.2108.7', '4.18.2108.7'), 0);
    assert.equal(compareVersions('4.18.24050.7', '4.18.2108.7'), 1);
    assert.equal(compareVersions('4.18.2107.9', '4.18.2108.7'), -1);
    assert.equal(compareVersions('', '4.18.2108.7'), undefined);
    assert.deepEqual(analyzerReadiness('4.18.2108.7', true), { ok: true });
    assert.equal((analyzerReadiness('4.18.2107.4', true) as { reason: string }).reason, 'platform');
    assert.equal((analyzerReadiness('4.18.2107.4', false) as { reason: string }).reason, 'platform');
    assert.equal((analyzerReadiness('4.18.24050.7', false) as { reason: string }).reason, 'elevation');
    assert.equal((analyzerReadiness(undefined, true) as { reason: string }).reason, 'platformUnknown');
  });

  it('recording and report scripts: quoted values, -Seconds/-RecordTo, -Raw | ConvertTo-Json -Depth, TopPaths only if present', () => {
    const rec = recordingScript("C:\\Users\\o'brien\\perf.etl", 30);
    assert.match(rec, /^New-MpPerformanceRecording -Seconds 30 -RecordTo 'C:\\Users\\o''brien\\perf\.etl'/);
    assert.throws(() => recordingScript('C:\\a.etl', 0), PerformanceValueError);
    assert.throws(() => recordingScript('C:\\a.etl', 2.5), PerformanceValueError);
    assert.throws(() => recordingScript('C:\\a\nb.etl', 5), /control character/);
    const rep = reportScript('C:\\p.etl', { topCount: 10, nestedCount: 3 });
    assert.match(rep, /Path = 'C:\\p\.etl'; Raw = \$true; TopFiles = 10; TopScansPerFile = 3;/);
    assert.match(rep, /TopScansPerFilePerProcess = 3/);
    assert.match(rep, /ContainsKey\('TopPaths'\)/);
    assert.match(rep, /\$params\['TopPaths'\] = 10; \$params\['TopProcessesPerPath'\] = 3/);
    assert.match(rep, /ConvertTo-Json -Depth 12 -Compress/);
    for (const bad of [/\?\?/, /\?\./, /&&/, /\|\|/]) assert.doesNotMatch(rep, bad);
    assert.ok(isWprBusy('Cannot start performance recording because Windows Performance Recorder is already recording.'));
    assert.ok(!isWprBusy('Cannot start performance recording: 0x80004005.'));
  });
});
