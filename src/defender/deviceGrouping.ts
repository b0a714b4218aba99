/**
 * The tenant's devices as a tree model at tenant scale (issue 8 item 1): devices arrive page by page, group by a
 * setting (`defenderTroubleshooting.devices.groupBy`) with counts, and big groups split into ranges of at most
 * CHUNK rows so that no tree level holds 100,000 items. Pure: no vscode import; rows are NodeVMs built lazily,
 * only for the group or range being expanded.
 */
import { mdText } from '../core/markdown';
import type { Machine } from '../api/mde';
import type { NodeVM } from '../core/treeModel';
import { STAGE_LABELS, type DeviceTroubleshootingLookup, type TroubleshootingStage } from './deviceTroubleshooting';
import { l10n } from '../core/l10n';

export type DeviceGroupBy = 'none' | 'deviceGroup' | 'osPlatform' | 'health' | 'tag' | 'troubleshootingState';

/** The setting's values, in the order the quick pick and package.json list them. */
export const GROUP_BY_OPTIONS: readonly { readonly value: DeviceGroupBy; readonly label: string; readonly detail: string }[] = [
  { value: 'none', get label() { return l10n.t('None'); }, get detail() { return l10n.t('One list, sorted by name'); } },
  { value: 'deviceGroup', get label() { return l10n.t('Device group'); }, get detail() { return l10n.t('rbacGroupName, the device group the device belongs to'); } },
  { value: 'osPlatform', get label() { return l10n.t('OS platform'); }, get detail() { return l10n.t('osPlatform, e.g. Windows11, WindowsServer2022'); } },
  { value: 'health', get label() { return l10n.t('Health'); }, get detail() { return l10n.t('healthStatus, e.g. Active, Inactive, ImpairedCommunication'); } },
  { value: 'tag', get label() { return l10n.t('Tag'); }, get detail() { return l10n.t('machineTags; a device with several tags appears under each of them'); } },
  { value: 'troubleshootingState', get label() { return l10n.t('Troubleshooting state'); }, get detail() { return l10n.t('What the extension tracks about troubleshooting mode'); } },
];

export function parseGroupBy(value: unknown): DeviceGroupBy {
  return GROUP_BY_OPTIONS.some((o) => o.value === value) ? (value as DeviceGroupBy) : 'none';
}

/** Rows per tree level: a group larger than this is split into name ranges of this size. */
export const CHUNK = 1000;

export const TENANT_ROW_PREFIX = 'device/tenant/';

/** Labels of the "missing value" groups; they sort last. */
export const NO_VALUE: Readonly<Record<Exclude<DeviceGroupBy, 'none' | 'troubleshootingState'>, string>> = {
  deviceGroup: '(no device group)',
  osPlatform: '(platform unknown)',
  health: '(health unknown)',
  tag: '(no tags)',
};

const STAGE_ORDER: readonly TroubleshootingStage[] = ['active', 'endingSoon', 'requested', 'notActivated', 'ended', 'none'];

/** Thousands separators without Intl (activation stays cheap; output is the same in every locale). */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** Health values differ in casing between responses (defender.md §10); group them case-insensitively. */
const HEALTH_CANON: Readonly<Record<string, string>> = {
  active: 'Active',
  inactive: 'Inactive',
  impairedcommunication: 'ImpairedCommunication',
  nosensordata: 'NoSensorData',
  nosensordataimpairedcommunication: 'NoSensorDataImpairedCommunication',
  unknown: 'Unknown',
};

/** The group(s) a device belongs to; tags give one group per distinct tag. */
export function groupKeysOf(m: Machine, by: DeviceGroupBy, troubleshooting?: DeviceTroubleshootingLookup): string[] {
  if (by !== 'tag') return [groupKeyOf(m, by, troubleshooting)];
  const raw = m.machineTags;
  // Most devices carry no tag or one: no Set and no intermediate arrays for them (100,000 devices).
  if (!raw || raw.length === 0) return [NO_VALUE.tag];
  if (raw.length === 1) return [String(raw[0]).trim() || NO_VALUE.tag];
  const tags = [...new Set(raw.map((t) => String(t).trim()).filter(Boolean))];
  return tags.length ? tags : [NO_VALUE.tag];
}

/** The one group of a device for every grouping but tags. */
function groupKeyOf(m: Machine, by: Exclude<DeviceGroupBy, 'tag'>, troubleshooting?: DeviceTroubleshootingLookup): string {
  switch (by) {
    case 'none':
      return '';
    case 'deviceGroup':
      return (m.rbacGroupName ?? '').trim() || NO_VALUE.deviceGroup;
    case 'osPlatform':
      return (m.osPlatform ?? '').trim() || NO_VALUE.osPlatform;
    case 'health': {
      const h = (m.healthStatus ?? '').trim();
      return h ? (HEALTH_CANON[h.toLowerCase()] ?? h) : NO_VALUE.health;
    }
    case 'troubleshootingState': {
      const stage = troubleshooting?.forDevice(m.id, m.computerDnsName ?? undefined)?.stage ?? 'none';
      return STAGE_LABELS[stage];
    }
  }
}

export interface DeviceGroup {
  readonly key: string;
  readonly machines: readonly Machine[];
}

function compareGroups(by: DeviceGroupBy): (a: string, b: string) => number {
  if (by === 'troubleshootingState') {
    const rank = (label: string) => STAGE_ORDER.findIndex((s) => STAGE_LABELS[s] === label);
    return (a, b) => rank(a) - rank(b);
  }
  const missing = by === 'none' ? '' : NO_VALUE[by];
  return (a, b) => {
    if (a === missing) return b === missing ? 0 : 1;
    if (b === missing) return -1;
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
}

/** Adds devices to a key → devices map (the grouping step; the model keeps one map per grouping and feeds it page by page). */
function addToGroups(map: Map<string, Machine[]>, machines: readonly Machine[], from: number, by: DeviceGroupBy, troubleshooting?: DeviceTroubleshootingLookup): void {
  if (by === 'tag') {
    for (let i = from; i < machines.length; i++) {
      const m = machines[i]!;
      for (const key of groupKeysOf(m, by, troubleshooting)) {
        const list = map.get(key);
        if (list) list.push(m);
        else map.set(key, [m]);
      }
    }
    return;
  }
  // One group per device: no key array per device. Consecutive devices often share a group, so the last
  // group's list is kept at hand.
  let lastKey: string | undefined;
  let lastList: Machine[] | undefined;
  for (let i = from; i < machines.length; i++) {
    const m = machines[i]!;
    const key = groupKeyOf(m, by, troubleshooting);
    if (key !== lastKey) {
      lastKey = key;
      lastList = map.get(key);
      if (!lastList) map.set(key, (lastList = []));
    }
    lastList!.push(m);
  }
}

function orderedGroups(map: Map<string, Machine[]>, by: DeviceGroupBy): DeviceGroup[] {
  return [...map.keys()].sort(compareGroups(by)).map((key) => ({ key, machines: map.get(key)! }));
}

/** Groups in display order (names alphabetically, "no value" last; stages in lifecycle order). */
export function groupDevices(machines: Iterable<Machine>, by: DeviceGroupBy, troubleshooting?: DeviceTroubleshootingLookup): DeviceGroup[] {
  const map = new Map<string, Machine[]>();
  addToGroups(map, Array.isArray(machines) ? machines : [...machines], 0, by, troubleshooting);
  return orderedGroups(map, by);
}

export const deviceName = (m: Machine): string => m.computerDnsName || m.id;

/** Sorts by name, case-insensitively, without Intl (100,000 localeCompare calls cost seconds). */
export function sortByName(machines: readonly Machine[]): Machine[] {
  const keyed = machines.map((m) => ({ m, k: deviceName(m).toLowerCase() }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.m.id < b.m.id ? -1 : a.m.id > b.m.id ? 1 : 0));
  return keyed.map((x) => x.m);
}

/** Row id of a device row; `scope` keeps ids unique when a device appears in several groups (tags). */
export function tenantRowId(machineId: string, scope?: string): string {
  return `${TENANT_ROW_PREFIX}${machineId}${scope ? `@${encodeURIComponent(scope)}` : ''}`;
}

/** The machine id of a tenant device row id (`device/tenant/<id>` or `device/tenant/<id>@<group>`). */
export function machineIdOfRow(rowId: string | undefined): string | undefined {
  if (!rowId?.startsWith(TENANT_ROW_PREFIX)) return undefined;
  const rest = rowId.slice(TENANT_ROW_PREFIX.length);
  const at = rest.indexOf('@');
  const id = at >= 0 ? rest.slice(0, at) : rest;
  return id && !id.includes('/') ? id : undefined;
}

export interface FleetRowOptions {
  readonly groupBy: DeviceGroupBy;
  readonly troubleshooting?: DeviceTroubleshootingLookup;
  /** Builds one device row (src/defender/fleet.ts machineNode, with stage and children). */
  readonly deviceRow: (m: Machine, rowId: string) => NodeVM;
  /** Id prefix of the group rows, e.g. `devices/tenant`. */
  readonly parentId: string;
}

/**
 * Holds the devices loaded so far. `add` takes a page (duplicates by id are dropped: paging by $skip can
 * overlap when the tenant changes underneath); `rows` gives the children of "Tenant devices".
 */
export class FleetTreeModel {
  private readonly list: Machine[] = [];
  private readonly byId = new Map<string, number>();
  private version = 0;
  private cache: { version: number; by: DeviceGroupBy; groups: DeviceGroup[] } | undefined;
  /**
   * One key → devices map per grouping, fed incrementally: a page only groups its own devices (the view asks
   * for the group rows after every page; re-grouping every device each time cost O(pages × devices)).
   * `upTo` is how much of `list` the map holds. Dropped when a device is replaced or the lookup changes.
   */
  private readonly indexes = new Map<DeviceGroupBy, { map: Map<string, Machine[]>; upTo: number }>();
  private sortedCache = new Map<string, { version: number; sorted: Machine[] }>();

  get count(): number {
    return this.list.length;
  }

  get machines(): readonly Machine[] {
    return this.list;
  }

  /** Adds a page; returns how many were new. A device seen again replaces its older copy. */
  add(page: readonly Machine[]): number {
    let added = 0;
    let replaced = false;
    for (const m of page) {
      const at = this.byId.get(m.id);
      if (at === undefined) {
        this.byId.set(m.id, this.list.length);
        this.list.push(m);
        added++;
      } else {
        this.list[at] = m;
        replaced = true;
      }
    }
    // A replaced device may have moved group: those maps are rebuilt; appended devices are grouped on demand.
    if (replaced) this.indexes.clear();
    this.version++;
    return added;
  }

  clear(): void {
    this.list.length = 0;
    this.byId.clear();
    this.invalidate();
  }

  /** Call when grouping inputs outside the list change (the troubleshooting lookup). */
  invalidate(): void {
    this.version++;
    this.cache = undefined;
    this.indexes.clear();
    this.sortedCache.clear();
  }

  machine(id: string): Machine | undefined {
    const at = this.byId.get(id);
    return at === undefined ? undefined : this.list[at];
  }

  groups(by: DeviceGroupBy, troubleshooting?: DeviceTroubleshootingLookup): DeviceGroup[] {
    if (this.cache && this.cache.version === this.version && this.cache.by === by) return this.cache.groups;
    let index = this.indexes.get(by);
    if (!index) this.indexes.set(by, (index = { map: new Map(), upTo: 0 }));
    addToGroups(index.map, this.list, index.upTo, by, troubleshooting);
    index.upTo = this.list.length;
    const groups = orderedGroups(index.map, by);
    this.cache = { version: this.version, by, groups };
    return groups;
  }

  private sorted(group: DeviceGroup, cacheKey: string): Machine[] {
    const hit = this.sortedCache.get(cacheKey);
    if (hit && hit.version === this.version) return hit.sorted;
    const sorted = sortByName(group.machines);
    this.sortedCache.set(cacheKey, { version: this.version, sorted });
    return sorted;
  }

  /** The children of "Tenant devices": group rows with counts (or, ungrouped, the device rows or ranges). */
  rows(options: FleetRowOptions): NodeVM[] {
    const { groupBy, parentId } = options;
    const groups = this.groups(groupBy, options.troubleshooting);
    if (groupBy === 'none') {
      const all = groups[0];
      return all ? this.deviceLevel(all, `${parentId}/all`, options, undefined) : [];
    }
    return groups.map((g) => {
      const id = `${parentId}/group/${groupBy}/${encodeURIComponent(g.key)}`;
      return {
        id,
        label: g.key,
        description: plural(g.machines.length, 'device'),
        tooltip: l10n.t('{0}: {1} loaded', mdText(g.key), plural(g.machines.length, 'device')),
        icon: groupBy === 'tag' ? 'tag' : groupBy === 'troubleshootingState' ? 'debug-alt' : 'folder',
        contextValue: 'tenantDeviceGroup',
        children: () => this.deviceLevel(g, id, options, groupBy === 'tag' ? g.key : undefined),
      };
    });
  }

  /** A group's devices: the rows themselves, or ranges of CHUNK rows each when the group is larger. */
  private deviceLevel(group: DeviceGroup, id: string, options: FleetRowOptions, scope: string | undefined): NodeVM[] {
    const sorted = this.sorted(group, id);
    if (sorted.length <= CHUNK) return sorted.map((m) => options.deviceRow(m, tenantRowId(m.id, scope)));
    const ranges: NodeVM[] = [];
    for (let start = 0; start < sorted.length; start += CHUNK) {
      const slice = sorted.slice(start, start + CHUNK);
      const first = deviceName(slice[0]!);
      const last = deviceName(slice[slice.length - 1]!);
      ranges.push({
        id: `${id}/range/${start / CHUNK}`,
        label: `${first} … ${last}`,
        description: plural(slice.length, 'device'),
        icon: 'list-flat',
        contextValue: 'tenantDeviceRange',
        children: () => slice.map((m) => options.deviceRow(m, tenantRowId(m.id, scope))),
      });
    }
    return ranges;
  }
}
