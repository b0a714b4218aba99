import * as assert from 'node:assert/strict';
import { quotedValues, unusualNotes, visible } from '../../../src/powershell/reveal';
import { quotePs } from '../../../src/powershell/quote';

/** What the confirmation dialog points out (issue #10, item 7). */
describe('(unit) unusual characters in a command line', () => {
  it('says nothing about plain printable ASCII', () => {
    assert.deepEqual(unusualNotes([`Add-MpPreference -ExclusionPath ${quotePs("C:\\it's here")}`]), []);
  });

  it('reads quoted values back as PowerShell would', () => {
    assert.deepEqual(quotedValues(`Add-MpPreference -ExclusionPath ${quotePs("a'b")}, ${quotePs('c\u2019d')}`), ["a'b", 'c\u2019d']);
  });

  it('names Unicode quotes and dashes, invisible and bidirectional characters, with the value they are in', () => {
    const notes = unusualNotes([
      `Add-MpPreference -ExclusionExtension ${quotePs('\u2013dbx')}`,
      `Add-MpPreference -ExclusionPath ${quotePs('C:\\a\u2019b')}, ${quotePs('C:\\x\u200By')}, ${quotePs('C:\\\u202Eexe.txt')}, ${quotePs('C:\\caf\u00e9')}`,
    ]);
    assert.deepEqual(notes, [
      "U+2013 EN DASH (PowerShell reads it as -) in '⟨U+2013⟩dbx'.",
      "U+2019 RIGHT SINGLE QUOTATION MARK (PowerShell reads it as ') in 'C:\\a⟨U+2019⟩b'.",
      "U+200B ZERO WIDTH SPACE in 'C:\\x⟨U+200B⟩y'.",
      "U+202E RIGHT-TO-LEFT OVERRIDE in 'C:\\⟨U+202E⟩exe.txt'.",
      "U+00E9 non-ASCII character in 'C:\\caf⟨U+00E9⟩'.",
    ]);
    for (const n of notes) assert.equal(visible(n.replace(/⟨U\+[0-9A-F]+⟩/g, '')), n.replace(/⟨U\+[0-9A-F]+⟩/g, ''));
  });

  it('points out leading and trailing spaces in a value', () => {
    assert.deepEqual(unusualNotes([`Set-X -Name ${quotePs(' a')} -Other ${quotePs('b ')} -Both ${quotePs(' c ')}`]), [
      "The value ' a' starts with a space.",
      "The value 'b ' ends with a space.",
      "The value ' c ' starts and ends with a space.",
    ]);
  });
});
