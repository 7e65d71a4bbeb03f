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

/**
 * The functions' tunable numbers: environment variable, default (those of the API contract), allowed range. Read
 * here by the functions, and by the CDK stack, which hands every function the same values (a function
 * that revokes must agree with those that sign on how long tokens live).
 */
export const integerSettings = {
  accessTokenTtlSeconds: { env: 'ACCESS_TOKEN_TTL_SECONDS', fallback: 15 * 60, min: 30, max: 24 * 60 * 60 },
  refreshTokenTtlSeconds: { env: 'REFRESH_TOKEN_TTL_SECONDS', fallback: 30 * 24 * 60 * 60, min: 60, max: 365 * 24 * 60 * 60 },
  /** However often it is refreshed, a session ends this long after its login (ASVS 5.0 V7.3). */
  sessionMaxLifetimeSeconds: { env: 'SESSION_MAX_LIFETIME_SECONDS', fallback: 90 * 24 * 60 * 60, min: 60, max: 365 * 24 * 60 * 60 },
  /** bcrypt cost: each +1 doubles the work (10 ≈ 110 ms, 12 ≈ 430 ms on these machines); below 10 only for tests. */
  bcryptCost: { env: 'BCRYPT_COST', fallback: 10, min: 4, max: 15 },
} as const;

export const stringSettings = {
  issuer: { env: 'JWT_ISSUER', fallback: 'serverless-jwt-auth' },
  audience: { env: 'JWT_AUDIENCE', fallback: 'serverless-jwt-auth-api' },
} as const;

export function readIntegerSetting(name: keyof typeof integerSettings): number {
  const { env, fallback, min, max } = integerSettings[name];
  return integerEnv(env, fallback, { min, max });
}

/** Token settings shared by every function that signs, verifies or revokes. */
export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionMaxLifetimeSeconds: number;
}

export function readTokenSettings(): TokenSettings {
  return {
    issuer: optionalEnv(stringSettings.issuer.env) ?? stringSettings.issuer.fallback,
    audience: optionalEnv(stringSettings.audience.env) ?? stringSettings.audience.fallback,
    accessTokenTtlSeconds: readIntegerSetting('accessTokenTtlSeconds'),
    refreshTokenTtlSeconds: readIntegerSetting('refreshTokenTtlSeconds'),
    sessionMaxLifetimeSeconds: readIntegerSetting('sessionMaxLifetimeSeconds'),
  };
}
