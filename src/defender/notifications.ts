/**
 * Notification de-duplication (issue 8 item 4), pure: each session+transition is announced once, across reloads
 * and several windows. Announcements are recorded in a persisted map (globalState in VS Code, which every window
 * of the profile shares): a window *claims* a key by writing its own id under it, waits a moment, reads again,
 * and notifies only if the claim is still its own. A key already claimed (by anyone) is never announced again.
 */

export interface ClaimStore {
  /** The persisted map, read fresh each time (another window may have written it). */
  read(): Readonly<Record<string, ClaimRecord>>;
  write(value: Record<string, ClaimRecord>): Promise<void>;
}

export interface ClaimRecord {
  /** The window (or process) that claimed the key. */
  readonly by: string;
  /** When (epoch ms); old records are pruned. */
  readonly at: number;
}

/** A stable key per session and transition. */
export function notificationKey(sessionKey: string, transition: string): string {
  return `${sessionKey}#${transition}`;
}

/** Records are kept a week: longer than any session, so a reload never re-announces one. */
export const CLAIM_RETENTION_MS = 7 * 24 * 60 * 60_000;

export class NotificationLedger {
  constructor(
    private readonly store: ClaimStore,
    /** This window's id (random per window). */
    private readonly owner: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the key was announced (claimed) already, by this window or another. */
  has(key: string): boolean {
    return key in this.store.read();
  }

  /**
   * Claims the key for this window unless someone already has. Returns false when it was taken; true means the
   * claim was written, and `confirm` decides after a pause whether it held.
   */
  async claim(key: string): Promise<boolean> {
    const current = this.sanitize(this.store.read());
    if (key in current) return false;
    const t = this.now();
    const kept: Record<string, ClaimRecord> = {};
    for (const [k, v] of Object.entries(current)) if (t - v.at <= CLAIM_RETENTION_MS) kept[k] = v;
    kept[key] = { by: this.owner, at: t };
    await this.store.write(kept);
    return true;
  }

  /** After a claim: does the persisted record still name this window? (Last writer wins between windows.) */
  confirm(key: string): boolean {
    return this.store.read()[key]?.by === this.owner;
  }

  /** Claim, wait (for other windows' writes to arrive), confirm. */
  async tryAnnounce(key: string, settle: () => Promise<void> = async () => undefined): Promise<boolean> {
    if (!(await this.claim(key))) return false;
    await settle();
    return this.confirm(key);
  }

  private sanitize(v: unknown): Record<string, ClaimRecord> {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, ClaimRecord> = {};
    for (const [k, r] of Object.entries(v as Record<string, unknown>)) {
      if (r && typeof r === 'object' && typeof (r as ClaimRecord).by === 'string' && typeof (r as ClaimRecord).at === 'number') out[k] = r as ClaimRecord;
    }
    return out;
  }
}
