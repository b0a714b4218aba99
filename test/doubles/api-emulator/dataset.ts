/**
 * The emulator's fake tenant: seeded, deterministic, and anchored to the emulator's start time so that
 * "active" troubleshooting sessions stay active while tests run.
 *
 * Troubleshooting-mode events follow defender.md §2.4: DeviceEvents with ActionType
 * "AntivirusTroubleshootModeEvent" and an AdditionalFields JSON *string* carrying the documented keys.
 * Microsoft documents only that TroubleshootingStateChangeReason contains "started" for a start; the other
 * values here (state names, "ended", change sources) are invented for the emulator and say so.
 */
import { TABLE_COLUMNS, type KqlType } from './schema';
import type { Column, Table, Value } from './kql';

export interface DatasetOptions {
  /** Fixed "now" for the data (ms). Defaults to the time the dataset is built. */
  readonly anchor?: number;
  readonly seed?: number;
  /** Machines in the tenant (≥ 6; the first six are the named fixtures below). */
  readonly machines?: number;
  /** Rows in DeviceProcessEvents (the table for large-result tests). */
  readonly processEvents?: number;
}

export interface FakeDevice {
  readonly id: string;
  readonly name: string;
  readonly osPlatform: string;
  readonly osBuild: number;
  readonly version: string;
  readonly healthStatus: string;
  readonly riskScore: string;
  readonly exposureLevel: string;
  readonly ip: string;
  readonly rbacGroupName: string;
  readonly tags: string[];
}

/** The named devices, with the troubleshooting state each one is in. */
export const FIXTURE_DEVICES = {
  active: 'ws-fin-01.contoso.local',
  expiring: 'ws-hr-07.contoso.local',
  expired: 'srv-sql-02.contoso.local',
  activeNoExpiry: 'ws-dev-11.contoso.local',
  quiet: 'ws-ops-03.contoso.local',
  mac: 'mac-design-01.contoso.local',
} as const;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export class Dataset {
  readonly anchor: number;
  devices: FakeDevice[];
  /** Position of each device (machine entities carry index-derived fields; indexOf would be O(n) per device). */
  private indexById = new Map<string, number>();
  private readonly tables = new Map<string, Table>();
  private readonly random: () => number;
  private readonly processEventCount: number;

  constructor(options: DatasetOptions = {}) {
    this.anchor = options.anchor ?? Date.now();
    this.random = mulberry32(options.seed ?? 20240827);
    this.processEventCount = options.processEvents ?? 120_000;
    this.devices = makeDevices(Math.min(40, Math.max(6, options.machines ?? 40)), this.random);
    if ((options.machines ?? 40) > 40) this.devices.push(...bulkDevices(40, options.machines!));
    this.reindex();
    this.tables.set('DeviceEvents', this.deviceEvents());
    this.tables.set('DeviceInfo', this.deviceInfo());
  }

  /**
   * Sets the tenant's size for large-tenant tests (`POST /__admin/devices {count}`, `--machines N`): the first 40
   * devices (the named fixtures and their events) stay, the others are generated deterministically from their
   * index, so device N is the same in every run. Shrinking below 6 is refused (the fixtures stay).
   */
  resizeDevices(count: number): void {
    const n = Math.max(6, Math.floor(count));
    if (n <= this.devices.length) this.devices = this.devices.slice(0, n);
    else this.devices = this.devices.concat(bulkDevices(this.devices.length, n));
    this.reindex();
  }

  indexOf(device: FakeDevice): number {
    return this.indexById.get(device.id) ?? -1;
  }

  byId(id: string): FakeDevice | undefined {
    const i = this.indexById.get(id);
    return i === undefined ? undefined : this.devices[i];
  }

  private reindex(): void {
    this.indexById = new Map(this.devices.map((d, i) => [d.id, i]));
  }

  /** A table's rows, or undefined when the emulator has no data for it. Built lazily for the big table. */
  table(name: string): Table | undefined {
    if (name === 'DeviceProcessEvents' && !this.tables.has(name)) this.tables.set(name, this.processEvents());
    return this.tables.get(name);
  }

  device(name: string): FakeDevice {
    return this.devices.find((d) => d.name === name)!;
  }

  private columns(table: string): Column[] {
    return (TABLE_COLUMNS[table] ?? []).map(([name, type]) => ({ name, type: type as KqlType }));
  }

  private row(table: string, values: Record<string, Value>): Record<string, Value> {
    const r: Record<string, Value> = {};
    for (const [name] of TABLE_COLUMNS[table] ?? []) r[name] = values[name] ?? null;
    return r;
  }

  private deviceEvents(): Table {
    const rows: Record<string, Value>[] = [];
    let reportId = 1000;
    const ts = (ms: number) => new Date(ms);
    const event = (dev: FakeDevice, at: number, fields: Record<string, unknown>) =>
      rows.push(
        this.row('DeviceEvents', {
          Timestamp: ts(at),
          DeviceId: dev.id,
          DeviceName: dev.name,
          ActionType: 'AntivirusTroubleshootModeEvent',
          InitiatingProcessFileName: 'MsSense.exe',
          ReportId: reportId++,
          AdditionalFields: JSON.stringify(fields),
        }),
      );
    const started = (dev: FakeDevice, start: number, withExpiry = true) =>
      event(dev, start, {
        TroubleshootingState: 'Enabled',
        TroubleshootingPreviousState: 'Disabled',
        TroubleshootingStartTime: new Date(start).toISOString(),
        ...(withExpiry ? { TroubleshootingStateExpiry: new Date(start + 4 * HOUR).toISOString() } : {}),
        TroubleshootingStateRemainingMinutes: 240,
        TroubleshootingStateChangeReason: 'Troubleshooting mode started',
        TroubleshootingStateChangeSource: 'Portal',
      });
    const ended = (dev: FakeDevice, start: number) =>
      event(dev, start + 4 * HOUR, {
        TroubleshootingState: 'Disabled',
        TroubleshootingPreviousState: 'Enabled',
        TroubleshootingStartTime: new Date(start).toISOString(),
        TroubleshootingStateExpiry: new Date(start + 4 * HOUR).toISOString(),
        TroubleshootingStateRemainingMinutes: 0,
        TroubleshootingStateChangeReason: 'Troubleshooting mode ended',
        TroubleshootingStateChangeSource: 'Expiry',
      });

    const now = this.anchor;
    started(this.device(FIXTURE_DEVICES.active), now - 70 * MIN);
    const expiringStart = now - (3 * HOUR + 45 * MIN);
    started(this.device(FIXTURE_DEVICES.expiring), expiringStart);
    event(this.device(FIXTURE_DEVICES.expiring), now - 5 * MIN, {
      TroubleshootingState: 'Enabled',
      TroubleshootingPreviousState: 'Enabled',
      TroubleshootingStartTime: new Date(expiringStart).toISOString(),
      TroubleshootingStateExpiry: new Date(expiringStart + 4 * HOUR).toISOString(),
      TroubleshootingStateRemainingMinutes: 20,
      TroubleshootingStateChangeReason: 'Troubleshooting mode ending soon',
      TroubleshootingStateChangeSource: 'Expiry',
    });
    const expiredStart = now - 26 * HOUR;
    started(this.device(FIXTURE_DEVICES.expired), expiredStart);
    ended(this.device(FIXTURE_DEVICES.expired), expiredStart);
    const olderStart = now - 12 * DAY;
    started(this.device(FIXTURE_DEVICES.expired), olderStart);
    ended(this.device(FIXTURE_DEVICES.expired), olderStart);
    started(this.device(FIXTURE_DEVICES.activeNoExpiry), now - 30 * MIN, false);

    // Other Defender events, spread over the last 30 days.
    const actionTypes = [
      'AntivirusDetection',
      'AntivirusScanCompleted',
      'ExploitGuardNetworkProtectionBlocked',
      'AsrOfficeChildProcessBlocked',
      'AsrOfficeChildProcessAudited',
      'TamperingAttempt',
      'SmartScreenUrlWarning',
      'FirewallInboundConnectionBlocked',
    ];
    for (let i = 0; i < 1500; i++) {
      const dev = this.devices[Math.floor(this.random() * this.devices.length)]!;
      const at = now - Math.floor(this.random() * 30 * DAY);
      const action = actionTypes[Math.floor(this.random() * actionTypes.length)]!;
      rows.push(
        this.row('DeviceEvents', {
          Timestamp: ts(at),
          DeviceId: dev.id,
          DeviceName: dev.name,
          ActionType: action,
          FileName: action.startsWith('Antivirus') ? `sample${i}.exe` : null,
          FolderPath: action.startsWith('Antivirus') ? 'C:\\Users\\Public\\Downloads' : null,
          RemoteUrl: action.includes('Network') || action.includes('SmartScreen') ? `http://bad${i % 17}.example` : null,
          InitiatingProcessFileName: action.startsWith('Asr') ? 'WINWORD.EXE' : 'MsMpEng.exe',
          ReportId: reportId++,
          AdditionalFields: action === 'TamperingAttempt' ? JSON.stringify({ TamperingAction: 'RegistryModification' }) : null,
        }),
      );
    }
    rows.sort((a, b) => (b.Timestamp as Date).getTime() - (a.Timestamp as Date).getTime());
    return { columns: this.columns('DeviceEvents'), rows };
  }

  private deviceInfo(): Table {
    const rows = this.devices.map((d, i) =>
      this.row('DeviceInfo', {
        Timestamp: new Date(this.anchor - (i + 1) * 37 * MIN),
        DeviceId: d.id,
        DeviceName: d.name,
        OSPlatform: d.osPlatform,
        OSBuild: d.osBuild,
        OSVersion: d.version,
        OnboardingStatus: 'Onboarded',
        MachineGroup: d.rbacGroupName,
        PublicIP: `203.0.113.${(i % 250) + 1}`,
        SensorHealthState: d.healthStatus,
        ExposureLevel: d.exposureLevel,
        ReportId: 5000 + i,
      }),
    );
    return { columns: this.columns('DeviceInfo'), rows };
  }

  private processEvents(): Table {
    const files = ['cmd.exe', 'powershell.exe', 'conhost.exe', 'svchost.exe', 'msedge.exe', 'notepad.exe', 'git.exe', 'node.exe'];
    const parents = ['explorer.exe', 'powershell.exe', 'cmd.exe', 'services.exe', 'Code.exe'];
    const rows: Record<string, Value>[] = new Array(this.processEventCount);
    const rnd = mulberry32(7);
    for (let i = 0; i < this.processEventCount; i++) {
      const dev = this.devices[i % this.devices.length]!;
      const file = files[Math.floor(rnd() * files.length)]!;
      rows[i] = this.row('DeviceProcessEvents', {
        Timestamp: new Date(this.anchor - Math.floor((i / this.processEventCount) * 29 * DAY) - Math.floor(rnd() * 60_000)),
        DeviceId: dev.id,
        DeviceName: dev.name,
        ActionType: 'ProcessCreated',
        FileName: file,
        FolderPath: `C:\\Windows\\System32\\${file}`,
        ProcessId: 1000 + (i % 60000),
        ProcessCommandLine: i % 97 === 0 ? `"${file}" -c "=HYPERLINK(""http://x"")"` : `${file} /arg ${i}`,
        AccountName: i % 3 === 0 ? 'system' : 'alex',
        InitiatingProcessFileName: parents[i % parents.length]!,
        ReportId: 100_000 + i,
      });
    }
    return { columns: this.columns('DeviceProcessEvents'), rows };
  }
}

function makeDevices(count: number, random: () => number): FakeDevice[] {
  const hex = () => {
    let s = '';
    for (let i = 0; i < 40; i++) s += '0123456789abcdef'[Math.floor(random() * 16)];
    return s;
  };
  const named: [string, string, number, string][] = [
    [FIXTURE_DEVICES.active, 'Windows11', 22631, '23H2'],
    [FIXTURE_DEVICES.expiring, 'Windows10', 19045, '22H2'],
    [FIXTURE_DEVICES.expired, 'WindowsServer2022', 20348, '21H2'],
    [FIXTURE_DEVICES.activeNoExpiry, 'Windows11', 26100, '24H2'],
    [FIXTURE_DEVICES.quiet, 'Windows10', 19045, '22H2'],
    [FIXTURE_DEVICES.mac, 'macOS', 0, '14.5'],
  ];
  const health = ['Active', 'Active', 'Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData'];
  const risk = ['None', 'Informational', 'Low', 'Medium', 'High'];
  const devices: FakeDevice[] = [];
  for (let i = 0; i < count; i++) {
    const n = named[i];
    const name = n ? n[0] : `wks-${String(i + 1).padStart(3, '0')}.contoso.local`;
    devices.push({
      id: hex(),
      name,
      osPlatform: n ? n[1] : i % 5 === 0 ? 'WindowsServer2019' : 'Windows11',
      osBuild: n ? n[2] : i % 5 === 0 ? 17763 : 22631,
      version: n ? n[3] : i % 5 === 0 ? '1809' : '23H2',
      healthStatus: i < 6 ? 'Active' : health[i % health.length]!,
      riskScore: risk[i % risk.length]!,
      exposureLevel: ['Low', 'Medium', 'High'][i % 3]!,
      ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      rbacGroupName: i % 2 === 0 ? 'Workstations' : 'Servers',
      tags: i % 4 === 0 ? ['pilot'] : [],
    });
  }
  return devices;
}

const BULK_PLATFORMS: [string, number, string][] = [
  ['Windows11', 22631, '23H2'],
  ['Windows11', 26100, '24H2'],
  ['Windows10', 19045, '22H2'],
  ['WindowsServer2022', 20348, '21H2'],
  ['WindowsServer2019', 17763, '1809'],
  ['Linux', 0, '22.04'],
  ['macOS', 0, '14.5'],
];
const BULK_GROUPS = ['Workstations', 'Servers', 'Finance', 'Engineering', 'Kiosks', ''];
const BULK_TAGS: string[][] = [[], [], ['pilot'], ['vip', 'pilot'], ['kiosk'], []];

/** Devices from..to-1 for large tenants, each a pure function of its index (no shared PRNG state). */
function bulkDevices(from: number, to: number): FakeDevice[] {
  const health = ['Active', 'Active', 'Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData'];
  const risk = ['None', 'Informational', 'Low', 'Medium', 'High'];
  const out: FakeDevice[] = new Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const rnd = mulberry32(0x5eed + i);
    let id = '';
    for (let k = 0; k < 5; k++) id += Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0');
    const [os, build, version] = BULK_PLATFORMS[i % BULK_PLATFORMS.length]!;
    out[i - from] = {
      id,
      name: `dev-${String(i + 1).padStart(6, '0')}.contoso.local`,
      osPlatform: os,
      osBuild: build,
      version,
      healthStatus: health[i % health.length]!,
      riskScore: risk[i % risk.length]!,
      exposureLevel: ['Low', 'Medium', 'High'][i % 3]!,
      ip: `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`,
      rbacGroupName: BULK_GROUPS[i % BULK_GROUPS.length]!,
      tags: BULK_TAGS[i % BULK_TAGS.length]!,
    };
  }
  return out;
}

/** Small deterministic PRNG (public-domain mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
