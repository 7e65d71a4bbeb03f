import { randomBytes } from 'node:crypto';

/**
 * To-do ids are ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base32. They sort by
 * creation time, which is what makes "oldest first" a plain ascending query, and are unguessable.
 * Within one millisecond of one process the random part is incremented (the ULID monotonic rule), so
 * ids created back to back still sort in creation order.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(time: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET.charAt(time % 32) + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return Array.from(randomBytes(16), (byte) => byte % 32);
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] ?? 0) < 31) {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom();
}

export function newUlid(now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = freshRandom();
  }
  return encodeTime(Math.max(now, lastTime)) + lastRandom.map((digit) => ALPHABET.charAt(digit)).join('');
}
