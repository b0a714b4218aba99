/**
 * Which untitled documents were KQL, so they come back as KQL after a reload (VS Code restores an untitled
 * document's text, and its language only when the language was set explicitly). Pure: the adapter
 * (src/kqlClient/untitledLanguage.ts) keeps the list in workspace state and sets the language.
 *
 * A document seen for the first time in this session (restored) that was KQL and is now Plain Text gets KQL back.
 * A document already seen in this session that changes language was changed by the user: that is remembered.
 */
export type UntitledAction = 'restore' | 'none';

export const MAX_REMEMBERED_UNTITLED = 50;

export class UntitledMemory {
  private readonly seen = new Set<string>();
  private remembered: string[];

  constructor(remembered: readonly string[] | undefined, private readonly languageId: string) {
    this.remembered = Array.isArray(remembered) ? remembered.filter((u) => typeof u === 'string') : [];
  }

  /** The list to persist. */
  get list(): readonly string[] {
    return this.remembered;
  }

  /** An untitled document was opened (or reopened with another language). */
  opened(uri: string, languageId: string): UntitledAction {
    const first = !this.seen.has(uri);
    this.seen.add(uri);
    if (first && languageId === 'plaintext' && this.remembered.includes(uri)) return 'restore';
    if (languageId === this.languageId) {
      if (!this.remembered.includes(uri)) this.remembered = [...this.remembered, uri].slice(-MAX_REMEMBERED_UNTITLED);
    } else {
      this.forget(uri);
    }
    return 'none';
  }

  /** Saved under a name, or discarded: nothing to restore any more. */
  forget(uri: string): void {
    this.remembered = this.remembered.filter((u) => u !== uri);
  }
}
