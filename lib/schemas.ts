import * as z from 'zod/mini';
import { USERNAME_PATTERN, normalizeUsername } from '#lib/usernames';

/**
 * Building blocks of the request schemas. They use `zod/mini`: the same checks and inferred types as full
 * zod, at 12 KB and ~13 ms of cold start instead of 454 KB and ~49 ms (../shared/MEASURED.md).
 */

/** Counts user-perceived code points, not UTF-16 units, so "8 characters" means what a user thinks. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** A string check for a length in characters, with the message clients see. */
export function lengthBetween(min: number, max: number) {
  return z.refine<string>((value) => {
    const length = characterCount(value);
    return length >= min && length <= max;
  }, `must be ${min}–${max} characters`);
}

/** Lone UTF-16 surrogates cannot be stored or hashed faithfully (they all become U+FFFD). */
export const wellFormed = z.refine<string>((value) => value.isWellFormed(), 'must not contain unpaired surrogate characters');

/** A to-do title: trimmed, then 1–200 characters. */
export const TodoTitleSchema = z.string().check(z.trim(), lengthBetween(1, 200), wellFormed);

/** A username as typed; parsing yields the normalized form (NFKC, lower case) stored and looked up. */
export const UsernameSchema = z.string().check(
  // Bounded before normalizing so a 16 KiB string is not NFKC-folded for nothing.
  z.maxLength(128, 'must be 3–32 characters'),
  z.overwrite(normalizeUsername),
  z.regex(USERNAME_PATTERN, 'must be 3–32 characters of a-z, 0-9, ".", "_" or "-"'),
);
