/**
 * Troubleshooting-mode prerequisites (issue 8 item 5), from the seed's table (shared/seeds, "Prerequisites") and
 * defender.md §2.2. Pure: the caller brings the facts (This device: its OS build and Get-MpComputerStatus; a tenant
 * device: the MDE API's Machine fields) and gets one row per requirement.
 *
 * Rules: versions compare numerically, part by part; what the facts cannot decide is `unknown`, never `pass`; a
 * platform the seed's table does not list is `unknown`; the verdict is `fail` if any row fails, else `unknown` if
 * any row is unknown, else `pass`.
 */

export interface PrerequisiteFacts {
  /** As the MDE API spells it: `Windows10`, `Windows11`, `WindowsServer2016`, `WindowsServer2012R2`… */
  readonly osPlatform?: string;
  /** `build.revision` (e.g. `19044.1620`), or a bare build (`19044`) when the revision is unknown. */
  readonly osBuild?: string;
  /** Defender Antivirus platform (Get-MpComputerStatus AMProductVersion), e.g. `4.18.2207.7`. */
  readonly avPlatformVersion?: string;
  /** Defender Antivirus engine (AMEngineVersion), e.g. `1.1.19500.2`. */
  readonly avEngineVersion?: string;
  /** Defender for Endpoint sensor (Sense) version, e.g. `10.8049.22439.1084` (the API's `agentVersion`). */
  readonly senseVersion?: string;
  /** AMRunningMode: `Normal` when Defender Antivirus is the active antivirus; passive modes otherwise. */
  readonly avMode?: string;
  /** Tenant-enrolled and active in Defender for Endpoint. */
  readonly onboarded?: boolean;
}

export type PrerequisiteStatus = 'pass' | 'fail' | 'unknown';

export type PrerequisiteId = 'os' | 'avPlatform' | 'avActive' | 'onboarded' | 'sense' | 'engine';

export interface PrerequisiteRow {
  readonly id: PrerequisiteId;
  /** What is required, as a short title. */
  readonly requirement: string;
  readonly status: PrerequisiteStatus;
  /** What the facts say ("not known" when they say nothing). */
  readonly found: string;
  /** What is needed. */
  readonly needed: string;
  /** The update that fixes a failing row (seed's table), when there is one. */
  readonly kb?: string;
  /** Why the row is unknown, or a caveat from the docs. */
  readonly note?: string;
}

export interface PrerequisiteResult {
  readonly verdict: PrerequisiteStatus;
  readonly rows: readonly PrerequisiteRow[];
}

// ---------------------------------------------------------------------------------------------------------------
// Numeric version comparison.

function parts(v: string): number[] | undefined {
  const s = v.trim();
  if (!/^\d+(\.\d+)*$/.test(s)) return undefined;
  return s.split('.').map(Number);
}

/** -1, 0 or 1, comparing numerically part by part; a missing part counts as 0. Undefined when not a version. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const pa = parts(a);
  const pb = parts(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Whether `found` is at least `minimum`. A found version shorter than the minimum that agrees on every part it
 * has (e.g. the bare build `19044` against `19044.1618`) cannot decide: `unknown`.
 */
export function meetsMinimum(found: string | undefined, minimum: string): PrerequisiteStatus {
  if (found === undefined) return 'unknown';
  const pf = parts(found);
  const pm = parts(minimum);
  if (!pf || !pm) return 'unknown';
  for (let i = 0; i < pm.length; i++) {
    if (i >= pf.length) return pm.slice(i).every((x) => x === 0) ? 'pass' : 'unknown';
    if (pf[i] !== pm[i]) return pf[i]! > pm[i]! ? 'pass' : 'fail';
  }
  return 'pass';
}

// ---------------------------------------------------------------------------------------------------------------
// The seed's table.

export const KB = {
  windows10: 'KB5011543',
  windows11: 'KB5011563',
  server2022: 'KB5011558',
  server2019: 'KB5011551',
  sense: 'KB5005292',
  avPlatform: 'KB4052623',
  avEngine: 'KB2267602',
} as const;

/** Minimum OS builds by release (seed: "Windows 10 (version 19044.1618 or later)" and the table below it). */
export const WINDOWS10_MINIMUMS: readonly { readonly build: number; readonly minimum: string; readonly release: string }[] = [
  { build: 19041, minimum: '19041.1620', release: '20H1' },
  { build: 19042, minimum: '19042.1620', release: '20H2' },
  { build: 19043, minimum: '19043.1620', release: '21H1' },
  { build: 19044, minimum: '19044.1618', release: '21H2' },
];
export const WINDOWS11_MINIMUM = '22000.593';
export const SERVER2022_MINIMUM = '20348.617';
export const SERVER2019_MINIMUM = '17763.2746';
/** Windows Server 2012 R2 / 2016 with the modern, unified solution: components, not OS builds. */
export const SENSE_MINIMUM = '10.8049.22439.1084';
export const UNIFIED_AV_PLATFORM_MINIMUM = '4.18.2207.7';
export const UNIFIED_AV_ENGINE_MINIMUM = '1.1.19500.2';
/** "The device must be actively running Microsoft Defender Antivirus, version 4.18.2203 or later." */
export const AV_PLATFORM_MINIMUM = '4.18.2203';

type PlatformKey = 'windows10' | 'windows11' | 'server2022' | 'server2019' | 'server2016' | 'server2012r2';

const PLATFORMS: Readonly<Record<string, PlatformKey>> = {
  windows10: 'windows10',
  windows11: 'windows11',
  windowsserver2022: 'server2022',
  windowsserver2019: 'server2019',
  windowsserver2016: 'server2016',
  windowsserver2012r2: 'server2012r2',
};

const PLATFORM_NAMES: Readonly<Record<PlatformKey, string>> = {
  windows10: 'Windows 10',
  windows11: 'Windows 11',
  server2022: 'Windows Server 2022',
  server2019: 'Windows Server 2019',
  server2016: 'Windows Server 2016',
  server2012r2: 'Windows Server 2012 R2',
};

export function platformKey(osPlatform: string | undefined): PlatformKey | undefined {
  return osPlatform ? PLATFORMS[osPlatform.trim().toLowerCase().replace(/[\s_-]/g, '')] : undefined;
}

const notKnown = 'not known';

function buildRow(found: string | undefined, minimum: string, kb: string, platformName: string): PrerequisiteRow {
  const status = meetsMinimum(found, minimum);
  return {
    id: 'os',
    requirement: `${platformName} build`,
    status,
    found: found ? `${platformName} ${found}` : `${platformName}, build ${notKnown}`,
    needed: `${minimum} or later`,
    kb,
    note:
      status === 'unknown'
        ? found
          ? `The build's revision is not known (only ${found}); ${minimum} or later is needed.`
          : 'The OS build is not known.'
        : undefined,
  };
}

function osRow(facts: PrerequisiteFacts, key: PlatformKey | undefined): PrerequisiteRow {
  const build = facts.osBuild?.trim() || undefined;
  if (!key) {
    return {
      id: 'os',
      requirement: 'Supported operating system',
      status: 'unknown',
      found: facts.osPlatform ? `${facts.osPlatform}${build ? ` ${build}` : ''}` : `OS ${notKnown}`,
      needed: 'Windows 10 (19044.1618 or later), Windows 11, Windows Server 2019, Windows Server 2022, or Windows Server 2012 R2 / 2016 with the modern, unified solution',
      note: facts.osPlatform
        ? `${facts.osPlatform} is not in the troubleshooting-mode prerequisites table.`
        : 'The OS platform is not known.',
    };
  }
  const name = PLATFORM_NAMES[key];
  switch (key) {
    case 'windows10': {
      const major = build ? parts(build)?.[0] : undefined;
      const exact = WINDOWS10_MINIMUMS.find((m) => m.build === major);
      // 19041–19043 have their own revision minimum; anything else is held against the text's 19044.1618.
      const minimum = exact?.minimum ?? '19044.1618';
      return buildRow(build, minimum, KB.windows10, name);
    }
    case 'windows11':
      return buildRow(build, WINDOWS11_MINIMUM, KB.windows11, name);
    case 'server2022':
      return buildRow(build, SERVER2022_MINIMUM, KB.server2022, name);
    case 'server2019':
      return buildRow(build, SERVER2019_MINIMUM, KB.server2019, name);
    case 'server2016':
    case 'server2012r2':
      return {
        id: 'os',
        requirement: `${name} with the modern, unified solution`,
        status: 'pass',
        found: `${name}${build ? ` ${build}` : ''}`,
        needed: `${name} running the modern, unified solution (the component versions below)`,
        note: 'Listed in the prerequisites; the components below decide.',
      };
  }
}

function versionRow(
  id: PrerequisiteId,
  requirement: string,
  found: string | undefined,
  minimum: string,
  kb: string,
  whereToLook: string,
): PrerequisiteRow {
  const value = found?.trim() || undefined;
  const status = meetsMinimum(value, minimum);
  return {
    id,
    requirement,
    status,
    found: value ?? notKnown,
    needed: `${minimum} or later`,
    kb,
    note: status === 'unknown' ? (value ? `${value} cannot be compared with ${minimum}.` : `Not known: ${whereToLook}.`) : undefined,
  };
}

function activeRow(avMode: string | undefined): PrerequisiteRow {
  const mode = avMode?.trim() || undefined;
  const base = { id: 'avActive' as const, requirement: 'Defender Antivirus actively running', needed: 'Defender Antivirus in active (normal) mode' };
  if (!mode) return { ...base, status: 'unknown', found: notKnown, note: 'Not known: check AMRunningMode (Get-MpComputerStatus) on the device.' };
  if (/^normal$/i.test(mode)) return { ...base, status: 'pass', found: mode };
  if (/passive|edr block/i.test(mode)) {
    return { ...base, status: 'fail', found: mode, note: 'Defender Antivirus is not the active antivirus on this device.' };
  }
  return { ...base, status: 'unknown', found: mode, note: `The running mode "${mode}" is not one the extension can judge.` };
}

function onboardedRow(onboarded: boolean | undefined): PrerequisiteRow {
  return {
    id: 'onboarded',
    requirement: 'Defender for Endpoint tenant-enrolled and active',
    status: onboarded === undefined ? 'unknown' : onboarded ? 'pass' : 'fail',
    found: onboarded === undefined ? notKnown : onboarded ? 'onboarded and active' : 'not onboarded or not active',
    needed: 'Onboarded to the tenant and active on the device',
    note: onboarded === undefined ? 'Not known: check the device in the Defender portal (onboarding and health status).' : undefined,
  };
}

export function verdictOf(rows: readonly PrerequisiteRow[]): PrerequisiteStatus {
  if (rows.some((r) => r.status === 'fail')) return 'fail';
  if (rows.some((r) => r.status === 'unknown')) return 'unknown';
  return rows.length > 0 ? 'pass' : 'unknown';
}

/**
 * One row per requirement of the seed's table for the device's platform. Windows platforms get the OS build row,
 * Defender Antivirus (actively running, platform ≥ 4.18.2203) and onboarding; Windows Server 2012 R2 / 2016 add
 * the Sense, platform (≥ 4.18.2207.7) and engine minimums of the modern, unified solution. A platform the table
 * does not list gets an `unknown` OS row (and no Windows-only rows when it is not Windows).
 */
export function evaluatePrerequisites(facts: PrerequisiteFacts): PrerequisiteResult {
  const key = platformKey(facts.osPlatform);
  const windowsLike = key !== undefined || !facts.osPlatform || /^windows/i.test(facts.osPlatform.trim());
  const rows: PrerequisiteRow[] = [osRow(facts, key)];
  if (windowsLike) {
    const unified = key === 'server2016' || key === 'server2012r2';
    rows.push(
      versionRow(
        'avPlatform',
        'Defender Antivirus platform',
        facts.avPlatformVersion,
        unified ? UNIFIED_AV_PLATFORM_MINIMUM : AV_PLATFORM_MINIMUM,
        KB.avPlatform,
        'check AMProductVersion (Get-MpComputerStatus) on the device',
      ),
    );
    if (unified) {
      rows.push(
        versionRow('engine', 'Defender Antivirus engine', facts.avEngineVersion, UNIFIED_AV_ENGINE_MINIMUM, KB.avEngine, 'check AMEngineVersion (Get-MpComputerStatus) on the device'),
        versionRow('sense', 'Defender for Endpoint sensor (Sense)', facts.senseVersion, SENSE_MINIMUM, KB.sense, 'the sensor version is not reported'),
      );
    }
    rows.push(activeRow(facts.avMode));
  }
  rows.push(onboardedRow(facts.onboarded));
  return { verdict: verdictOf(rows), rows };
}

// ---------------------------------------------------------------------------------------------------------------
// Where the facts come from.

/** The MDE API's Machine fields (defender.md §1.2, §10) that bear on prerequisites. */
export interface MachineFactsInput {
  readonly osPlatform?: string | null;
  readonly osBuild?: number | string | null;
  readonly agentVersion?: string | null;
  readonly onboardingStatus?: string | null;
  readonly healthStatus?: string | null;
}

/** What a tenant device's API record cannot tell, shown under its rows. */
export const REMOTE_UNKNOWNS =
  'The MDE API reports the OS build without its revision and neither the Defender Antivirus platform version nor its running mode; check those on the device (winver, Get-MpComputerStatus).';

/** Facts from a tenant device's Machine record: the build has no revision, AV versions and mode are not there. */
export function factsFromMachine(m: MachineFactsInput): PrerequisiteFacts {
  const onboarding = (m.onboardingStatus ?? '').toLowerCase();
  const health = (m.healthStatus ?? '').toLowerCase();
  let onboarded: boolean | undefined;
  if (onboarding && onboarding !== 'onboarded') onboarded = false;
  else if (onboarding === 'onboarded' && health === 'active') onboarded = true;
  else if (onboarding === 'onboarded' && health === 'inactive') onboarded = false;
  return {
    osPlatform: m.osPlatform ?? undefined,
    osBuild: m.osBuild !== null && m.osBuild !== undefined && String(m.osBuild).trim() ? String(m.osBuild) : undefined,
    senseVersion: m.agentVersion ?? undefined,
    onboarded,
  };
}

export interface LocalFactsInput {
  /**
   * process.platform of the extension host. The OS facts are read only when it is 'win32': elsewhere os.release()
   * is another kernel's version (Linux "6.12.44" once read as "Windows 10 build 44"), and the Windows device is
   * played by PowerShell (the sample's stand-in), which does not report its OS build.
   */
  readonly platform?: string;
  /** os.release() on Windows: "10.0.19044". */
  readonly release?: string;
  /** os.version() on Windows: e.g. "Windows 10 Enterprise", "Windows Server 2019 Datacenter". */
  readonly productName?: string;
  /** The update build revision, when something read it. */
  readonly revision?: number;
  readonly amProductVersion?: string;
  readonly amEngineVersion?: string;
  readonly amRunningMode?: string;
}

/**
 * Facts This device can read locally. The platform comes from the build where the seed's table names the build
 * (22000 is Windows 11; Server 17763 is 2019, 20348 is 2022); other server builds stay unknown.
 */
export function factsFromLocal(input: LocalFactsInput): PrerequisiteFacts {
  const m = input.platform === undefined || input.platform === 'win32' ? /^\d+\.\d+\.(\d+)/.exec(input.release ?? '') : null;
  const build = m ? Number(m[1]) : undefined;
  const server = /server/i.test(input.productName ?? '');
  let osPlatform: string | undefined;
  if (build !== undefined) {
    if (server) osPlatform = build === 17763 ? 'WindowsServer2019' : build === 20348 ? 'WindowsServer2022' : undefined;
    else osPlatform = build >= 22000 ? 'Windows11' : 'Windows10';
  }
  return {
    osPlatform,
    osBuild: build === undefined ? undefined : input.revision !== undefined ? `${build}.${input.revision}` : String(build),
    avPlatformVersion: input.amProductVersion,
    avEngineVersion: input.amEngineVersion,
    avMode: input.amRunningMode,
  };
}

const ICON: Record<PrerequisiteStatus, string> = { pass: '✓', fail: '✗', unknown: '?' };

/** A plain-text summary for a confirmation dialog. */
export function describePrerequisites(result: PrerequisiteResult): string {
  return result.rows
    .map((r) => `${ICON[r.status]} ${r.requirement}: ${r.found} (needs ${r.needed}${r.kb && r.status !== 'pass' ? `; ${r.kb}` : ''})`)
    .join('\n');
}
