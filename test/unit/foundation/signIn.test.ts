import * as assert from 'node:assert/strict';
import { isSignInDeclined } from '../../../src/core/errors';

/** What the authentication providers throw when the user says no (issue #10, item 11). */
describe('(unit) a declined sign-in', () => {
  it('is recognised from the providers\' errors', () => {
    const canceled = new Error('Canceled');
    canceled.name = 'Canceled';
    for (const err of [new Error('User did not consent to login.'), new Error('Cancelled'), new Error('User cancelled the flow'), canceled]) {
      assert.ok(isSignInDeclined(err), err.message);
    }
  });

  it('is not confused with real failures', () => {
    for (const err of [new Error('Network error'), new Error('AADSTS50020: account not in tenant'), 'User did not consent to login.', undefined]) {
      assert.equal(isSignInDeclined(err), false, String(err));
    }
  });
});
