import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { bcryptCost, hashPassword, unknownUserHash, verifyPassword } from '#lib/passwords';

describe('passwords', () => {
  it('hashes with bcrypt at the configured cost (default 10) and verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');

    expect(bcryptCost).toBe(10);
    expect(bcrypt.getRounds(hash)).toBe(10);
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', hash)).resolves.toBe(false);
  });

  it('counts every character past bcrypt’s 72-byte limit, ASCII and multi-byte alike', async () => {
    const ascii = 'a'.repeat(72);
    const multiByte = 'é'.repeat(36); // 72 bytes of UTF-8
    const asciiHash = await hashPassword(`${ascii}1`);
    const multiByteHash = await hashPassword(`${multiByte}1`);

    await expect(verifyPassword(`${ascii}2`, asciiHash)).resolves.toBe(false);
    await expect(verifyPassword(`${multiByte}2`, multiByteHash)).resolves.toBe(false);
    await expect(verifyPassword(`${ascii}1`, asciiHash)).resolves.toBe(true);
  });

  it('treats canonically equivalent spellings of a password as one (NFKC)', async () => {
    const hash = await hashPassword('caf\u00e9 au lait');
    await expect(verifyPassword('cafe\u0301 au lait', hash)).resolves.toBe(true);
  });

  it('never verifies when there is no stored hash, yet compares against a dummy hash of the same cost', async () => {
    await expect(verifyPassword('anything at all', undefined)).resolves.toBe(false);
    // A well-formed hash at the configured cost: bcrypt does the full work for an unknown user too.
    expect(bcrypt.getRounds(unknownUserHash)).toBe(bcryptCost);
    await expect(bcrypt.compare('anything', unknownUserHash)).resolves.toBe(false);
  });
});
