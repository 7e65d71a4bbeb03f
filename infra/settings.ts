import type { Node } from 'constructs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { integerSettings, stringSettings } from '#lib/config';

/**
 * Deployment options, read from CDK context (`-c name=value` on the command line, or cdk.json /
 * cdk.context.json). Every value is checked here so a typo fails the synth with a message that names
 * the option, instead of deploying something half-configured.
 */
export interface DeploymentSettings {
  /** Prefix of the two stack names, so several copies (a PR, a teammate) can live in one account. */
  stackPrefix: string;
  /** Delete tables and log groups with the stack (throwaway stacks) instead of keeping them. */
  destroyOnRemove: boolean;
  /**
   * How long API Gateway may reuse the authorizer's answer for one Authorization header. 0 (default)
   * runs the authorizer on every request, so a logout takes effect at once; raising it saves one
   * Lambda invocation and one DynamoDB read per cached request but lets a revoked access token keep
   * working for up to this long.
   */
  authorizerCacheTtlSeconds: number;
  /** Browser origins allowed by CORS. Empty (default): no CORS headers, browsers on other origins are refused. */
  corsOrigins: string[];
  /** Stage-wide steady-state requests per second and burst, before API Gateway answers 429. */
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /**
   * Tighter limits for the routes that run bcrypt (`cpuBound` in lib/routes.ts: register, login): each
   * of their requests costs ~0.1 s of CPU, so they are what a flood would aim at, and a flood there must
   * not eat the stage-wide budget of everything else.
   */
  passwordRouteRateLimit: number;
  passwordRouteBurstLimit: number;
  /** Retention of the function and access log groups. */
  logRetention: RetentionDays;
  /**
   * Token lifetimes, issuer and audience (context keys as in lib/config.ts: `accessTokenTtlSeconds`,
   * `refreshTokenTtlSeconds`, `sessionMaxLifetimeSeconds`, `issuer`, `audience`), as environment
   * variables given to every function alike: the revoking functions must agree with the signing ones on
   * how long a token can live, or a blocklist entry could expire before the tokens it stops.
   */
  tokenEnvironment: Record<string, string>;
  /** bcrypt cost (context `bcryptCost`), for the functions that hash passwords. */
  bcryptCost: number;
  /**
   * Declares the variables `sam local` must be able to set (DYNAMODB_ENDPOINT, JWT_SECRET) as empty
   * environment variables: SAM only passes `--env-vars` values for variables the template declares.
   * For local synths only; empty values are ignored by the functions.
   */
  samLocal: boolean;
}

export const DEFAULT_SETTINGS: DeploymentSettings = {
  stackPrefix: 'ServerlessJwtAuth',
  destroyOnRemove: false,
  authorizerCacheTtlSeconds: 0,
  corsOrigins: [],
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  passwordRouteRateLimit: 10,
  passwordRouteBurstLimit: 20,
  logRetention: RetentionDays.ONE_MONTH,
  tokenEnvironment: {},
  bcryptCost: integerSettings.bcryptCost.fallback,
  samLocal: false,
};

/** The context keys this app reads, for docs and error messages. */
export const CONTEXT_KEYS = {
  stackPrefix: 'stackPrefix',
  destroyOnRemove: 'destroyOnRemove',
  authorizerCacheTtlSeconds: 'authorizerCacheTtlSeconds',
  corsOrigins: 'corsOrigins',
  throttleRateLimit: 'throttleRateLimit',
  throttleBurstLimit: 'throttleBurstLimit',
  passwordRouteRateLimit: 'passwordRouteRateLimit',
  passwordRouteBurstLimit: 'passwordRouteBurstLimit',
  logRetentionDays: 'logRetentionDays',
  samLocal: 'samLocal',
  accessTokenTtlSeconds: 'accessTokenTtlSeconds',
  refreshTokenTtlSeconds: 'refreshTokenTtlSeconds',
  sessionMaxLifetimeSeconds: 'sessionMaxLifetimeSeconds',
  issuer: 'issuer',
  audience: 'audience',
  bcryptCost: 'bcryptCost',
} as const;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function readSettings(node: Node): DeploymentSettings {
  const get = (key: string): unknown => node.tryGetContext(key);
  return {
    stackPrefix: stackPrefix(get(CONTEXT_KEYS.stackPrefix)),
    destroyOnRemove: flag(CONTEXT_KEYS.destroyOnRemove, get(CONTEXT_KEYS.destroyOnRemove), DEFAULT_SETTINGS.destroyOnRemove),
    // API Gateway allows 0–3600 s for HTTP API authorizer caching.
    authorizerCacheTtlSeconds: integer(CONTEXT_KEYS.authorizerCacheTtlSeconds, get(CONTEXT_KEYS.authorizerCacheTtlSeconds), DEFAULT_SETTINGS.authorizerCacheTtlSeconds, 0, 3600),
    corsOrigins: origins(get(CONTEXT_KEYS.corsOrigins)),
    throttleRateLimit: integer(CONTEXT_KEYS.throttleRateLimit, get(CONTEXT_KEYS.throttleRateLimit), DEFAULT_SETTINGS.throttleRateLimit, 1, 10_000),
    throttleBurstLimit: integer(CONTEXT_KEYS.throttleBurstLimit, get(CONTEXT_KEYS.throttleBurstLimit), DEFAULT_SETTINGS.throttleBurstLimit, 1, 5_000),
    passwordRouteRateLimit: integer(CONTEXT_KEYS.passwordRouteRateLimit, get(CONTEXT_KEYS.passwordRouteRateLimit), DEFAULT_SETTINGS.passwordRouteRateLimit, 1, 10_000),
    passwordRouteBurstLimit: integer(CONTEXT_KEYS.passwordRouteBurstLimit, get(CONTEXT_KEYS.passwordRouteBurstLimit), DEFAULT_SETTINGS.passwordRouteBurstLimit, 1, 5_000),
    logRetention: retention(get(CONTEXT_KEYS.logRetentionDays)),
    tokenEnvironment: tokenEnvironment(get),
    bcryptCost: integerSetting('bcryptCost', get(CONTEXT_KEYS.bcryptCost)),
    samLocal: flag(CONTEXT_KEYS.samLocal, get(CONTEXT_KEYS.samLocal), DEFAULT_SETTINGS.samLocal),
  };
}

function stackPrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_SETTINGS.stackPrefix;
  // Stack names: letters, digits and hyphens, starting with a letter, at most 128 characters in all.
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(value)) {
    throw new SettingsError(`Context ${CONTEXT_KEYS.stackPrefix} must start with a letter and hold only letters, digits and hyphens, got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingsError(`Context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function integer(key: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new SettingsError(`Context ${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function integerSetting(name: keyof typeof integerSettings, value: unknown): number {
  const { fallback, min, max } = integerSettings[name];
  return integer(name, value, fallback, min, max);
}

function tokenEnvironment(get: (key: string) => unknown): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of ['accessTokenTtlSeconds', 'refreshTokenTtlSeconds', 'sessionMaxLifetimeSeconds'] as const) {
    environment[integerSettings[name].env] = String(integerSetting(name, get(name)));
  }
  for (const name of ['issuer', 'audience'] as const) {
    const value = get(name) ?? stringSettings[name].fallback;
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(value)) {
      throw new SettingsError(`Context ${name} must be 1–256 printable characters without spaces, got ${JSON.stringify(value)}`);
    }
    environment[stringSettings[name].env] = value;
  }
  return environment;
}

function origins(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (list === undefined) throw new SettingsError(`Context ${CONTEXT_KEYS.corsOrigins} must be a comma-separated list of origins`);
  return list.map((origin: unknown) => {
    const text = typeof origin === 'string' ? origin.trim() : '';
    // An origin is scheme://host[:port], nothing else; `*` would let any site call the API with a user's token.
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(text)) {
      throw new SettingsError(`Context ${CONTEXT_KEYS.corsOrigins}: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
    }
    return text;
  });
}

function retention(value: unknown): RetentionDays {
  if (value === undefined) return DEFAULT_SETTINGS.logRetention;
  const days = typeof value === 'number' ? value : Number(value);
  const allowed = Object.values(RetentionDays).filter((entry): entry is RetentionDays => typeof entry === 'number' && entry !== RetentionDays.INFINITE);
  if (!allowed.includes(days as RetentionDays)) {
    throw new SettingsError(`Context ${CONTEXT_KEYS.logRetentionDays} must be one of CloudWatch's retention periods (${allowed.join(', ')}), got ${JSON.stringify(value)}`);
  }
  return days as RetentionDays;
}
