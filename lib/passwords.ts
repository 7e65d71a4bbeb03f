import { createHmac } from 'node:crypto';
import bcrypt from 'bcryptjs';
import * as z from 'zod/mini';
import { readIntegerSetting } from '#lib/config';
import { lengthBetween, wellFormed } from '#lib/schemas';

export const bcryptCost = readIntegerSetting('bcryptCost');

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** What a new password must satisfy. Login accepts any well-formed 1–128 character string. */
export const NewPasswordSchema = z.string().check(lengthBetween(PASSWORD_MIN, PASSWORD_MAX), wellFormed);
export const PresentedPasswordSchema = z.string().check(lengthBetween(1, PASSWORD_MAX), wellFormed);

/**
 * bcrypt reads at most 72 bytes, so two long passwords sharing their first 72 bytes would both verify.
 * We feed it a fixed-length HMAC-SHA256 of the whole password instead (44 base64 characters), so every
 * character counts. The HMAC key is a domain separator, not a secret: it keeps these digests from
 * matching plain SHA-256 hashes leaked elsewhere ("password shucking").
 * NFKC first, as NIST SP 800-63B advises, so one password typed on two keyboards stays one password.
 */
function prehash(password: string): string {
  return createHmac('sha256', 'serverless-jwt-auth/bcrypt-prehash/v1').update(password.normalize('NFKC'), 'utf8').digest('base64');
}

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(prehash(password), bcryptCost);
}

/**
 * A syntactically valid hash of nobody's password, at the configured cost, checked when the user does
 * not exist so that an unknown username costs the same bcrypt work as a wrong password.
 */
export const unknownUserHash = `$2b$${String(bcryptCost).padStart(2, '0')}$${'N9qo8uLOickgx2ZMRZoMye'}${'IjZAgcfl7p92ldGxad68LJZdL17lhWy'}`;

export async function verifyPassword(password: string, storedHash: string | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(prehash(password), storedHash ?? unknownUserHash);
  return matches && storedHash !== undefined;
}
