// A search OpenFGA cannot finish because a relationship's condition lacks a parameter: the
// case's message must say the search failed as a whole, not that something was "denied".

import { describe, expect, it } from 'vitest';
import { searchErrorMessage } from './adapter.ts';

describe('OpenFGA search errors', () => {
  it('names a missing condition parameter as a failed search, not a deny', () => {
    const message = searchErrorMessage({ apiErrorMessage: "failed to evaluate relationship condition: 'c' - tuple 'doc:4#temp@user:dan' is missing context parameters '[now]'" });
    expect(message).not.toMatch(/denied/);
    expect(message).toMatch(/^OpenFGA: .*missing context parameters.*the search fails as a whole/);
  });
  it('keeps other errors as they were', () => {
    expect(searchErrorMessage(new Error('boom'))).toBe('OpenFGA: boom');
  });
});
