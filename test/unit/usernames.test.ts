import { describe, expect, it } from 'vitest';
import { normalizeUsername, USERNAME_PATTERN } from '#lib/usernames';

describe('normalizeUsername', () => {
  it.each([
    ['Alice', 'alice'],
    ['ALICE', 'alice'],
    ['ａｌｉｃｅ', 'alice'],
    ['\u212Aelvin', 'kelvin'], // Kelvin sign
    ['ﬁnn', 'finn'], // ligature
    ['bob.smith_2-x', 'bob.smith_2-x'],
  ])('folds %s to %s', (raw, expected) => {
    expect(normalizeUsername(raw)).toBe(expected);
    expect(USERNAME_PATTERN.test(normalizeUsername(raw))).toBe(true);
  });

  it.each(['ab', 'a'.repeat(33), 'al ice', 'alice!', 'İstanbul', 'émile', '', 'ali\u0000ce'])('does not accept %j', (raw) => {
    expect(USERNAME_PATTERN.test(normalizeUsername(raw))).toBe(false);
  });
});
