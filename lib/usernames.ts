/**
 * Usernames: 3–32 characters of a-z 0-9 . _ - after normalization. Kept free of dependencies because
 * the authorizer checks token subjects against the same pattern and must stay small.
 */
export const USERNAME_PATTERN = /^[a-z0-9._-]{3,32}$/;

/**
 * One account per name however it is typed: NFKC folds compatibility forms (full-width ａｌｉｃｅ,
 * ligatures, the Kelvin sign) and lower-casing folds case, before storage and before every lookup.
 */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').toLowerCase();
}
