import * as assert from 'node:assert/strict';
import { MAX_REMEMBERED_UNTITLED, UntitledMemory } from '../../../src/kql/untitledMemory';

/** Untitled KQL documents after a reload (issue #10, item 13). */
describe('(unit) kql/untitledMemory', () => {
  it('remembers untitled KQL documents and restores one that comes back as Plain Text', () => {
    const before = new UntitledMemory(undefined, 'kql');
    assert.equal(before.opened('untitled:Untitled-1', 'kql'), 'none');
    assert.equal(before.opened('untitled:Untitled-2', 'plaintext'), 'none');
    assert.deepEqual(before.list, ['untitled:Untitled-1']);
    // The reload: a new session with the stored list.
    const after = new UntitledMemory(before.list, 'kql');
    assert.equal(after.opened('untitled:Untitled-1', 'plaintext'), 'restore');
    assert.equal(after.opened('untitled:Untitled-2', 'plaintext'), 'none');
  });

  it('respects a language the user picks later in the session', () => {
    const m = new UntitledMemory(['untitled:Untitled-1'], 'kql');
    assert.equal(m.opened('untitled:Untitled-1', 'kql'), 'none');
    assert.equal(m.opened('untitled:Untitled-1', 'plaintext'), 'none', 'changed by the user, not restored');
    assert.deepEqual(m.list, []);
  });

  it('forgets saved documents, ignores junk in the stored value, and stays bounded', () => {
    const m = new UntitledMemory(['untitled:a', 42 as unknown as string], 'kql');
    assert.deepEqual(m.list, ['untitled:a']);
    m.forget('untitled:a');
    assert.deepEqual(m.list, []);
    for (let i = 0; i < MAX_REMEMBERED_UNTITLED + 10; i++) m.opened(`untitled:${i}`, 'kql');
    assert.equal(m.list.length, MAX_REMEMBERED_UNTITLED);
    assert.equal(new UntitledMemory('nope' as unknown as string[], 'kql').list.length, 0);
  });
});
