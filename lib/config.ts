/**
 * Configuration is read from the environment once, when a module loads, and a missing or malformed
 * value stops the cold start with a message that names the variable: a Lambda that cannot be
 * configured must fail loudly at init, never limp along with an empty table name.
 */

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is required but not set`);
  }
  return value;
}

export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function integerEnv(name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigurationError(`Environment variable ${name} must be a whole number, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new ConfigurationError(`Environment variable ${name} must be between ${range.min} and ${range.max}, got ${value}`);
  }
  return value;
}

/** Token settings shared by every function that signs or verifies. Defaults are those of API.md. */
export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** However often it is refreshed, a session ends this long after its login (ASVS 5.0 V7.3). */
  sessionMaxLifetimeSeconds: number;
}

export function readTokenSettings(): TokenSettings {
  return {
    issuer: optionalEnv('JWT_ISSUER') ?? 'serverless-jwt-auth',
    audience: optionalEnv('JWT_AUDIENCE') ?? 'serverless-jwt-auth-api',
    accessTokenTtlSeconds: integerEnv('ACCESS_TOKEN_TTL_SECONDS', 15 * 60, { min: 30, max: 24 * 60 * 60 }),
    refreshTokenTtlSeconds: integerEnv('REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 60 * 60, { min: 60, max: 365 * 24 * 60 * 60 }),
    sessionMaxLifetimeSeconds: integerEnv('SESSION_MAX_LIFETIME_SECONDS', 90 * 24 * 60 * 60, { min: 60, max: 365 * 24 * 60 * 60 }),
  };
}
