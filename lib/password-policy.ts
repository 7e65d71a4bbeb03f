import { ValidationError } from '#lib/errors';
import { PASSWORD_MIN } from '#lib/passwords';

/**
 * What a new password must not be, beyond its length (OWASP ASVS 5.0 V6.2; NIST SP 800-63B §3.1.1.2):
 * one of the 10,000 most common passwords (SecLists, lib/data/), compared case-insensitively, or the
 * account's own username. Only entries long enough to pass the length rule are kept in memory.
 */
let common: Set<string> | undefined;

/** Loaded on first use, not at cold start: only registrations need it. */
async function commonPasswords(): Promise<Set<string>> {
  if (!common) {
    const { default: list } = (await import('./data/common-passwords.json', { with: { type: 'json' } })) as { default: string[] };
    common = new Set(list.map((password) => password.toLowerCase()).filter((password) => password.length >= PASSWORD_MIN));
  }
  return common;
}

function folded(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** Throws a 400 naming the rule the password breaks. `username` is already normalized. */
export async function assertAcceptablePassword(password: string, username: string): Promise<void> {
  if (folded(password) === username) {
    throw new ValidationError('The request body is invalid', [{ path: 'password', message: 'must not be the same as the username' }]);
  }
  if ((await commonPasswords()).has(folded(password))) {
    throw new ValidationError('The request body is invalid', [
      { path: 'password', message: 'is one of the most commonly used passwords; choose another' },
    ]);
  }
}
