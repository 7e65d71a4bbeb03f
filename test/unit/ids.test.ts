import { describe, expect, it } from 'vitest';
import { newUlid, ULID_PATTERN } from '#lib/ids';

describe('newUlid', () => {
  it('makes ids that sort in creation order, also within one millisecond', () => {
    const fixed = Date.now();
    const ids = [newUlid(fixed), newUlid(fixed), newUlid(fixed), newUlid(fixed + 1)];

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(ULID_PATTERN);
  });

  it('encodes the time in the first 10 characters', () => {
    const later = Date.now() + 10_000;
    const a = newUlid(later);
    const b = newUlid(later + 5_000);
    expect(a.slice(0, 10) < b.slice(0, 10)).toBe(true);
  });
});
