import type { CryptoKey } from 'jose';
import { ConfigurationError, optionalEnv } from '#lib/config';

export const MIN_SECRET_BYTES = 32;

/**
 * The HS256 secret: `JWT_SECRET` locally, or the Secrets Manager secret named by `JWT_SECRET_ARN` in
 * the cloud (never a plain environment variable there). Read once per cold start by the module that
 * signs or verifies, and imported once as a non-extractable CryptoKey: jose then skips the per-call
 * key import, which halves verification time (../shared/MEASURED.md).
 */
export async function loadSigningKey(): Promise<CryptoKey> {
  const secret = await readSecret();
  const bytes = new TextEncoder().encode(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigurationError(
      `The JWT signing secret must be at least ${MIN_SECRET_BYTES} bytes of UTF-8 (got ${bytes.byteLength}). ` +
        'Generate one with: node -e "console.log(require(\'node:crypto\').randomBytes(48).toString(\'base64url\'))"',
    );
  }
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function readSecret(): Promise<string> {
  const local = optionalEnv('JWT_SECRET');
  if (local !== undefined) return local;
  const secretArn = optionalEnv('JWT_SECRET_ARN');
  if (secretArn !== undefined) return fetchSecret(secretArn);
  throw new ConfigurationError('Set JWT_SECRET (local runs) or JWT_SECRET_ARN (AWS) to give this function its signing key');
}

async function fetchSecret(secretArn: string): Promise<string> {
  // Loaded only in the cloud, so local runs and tests never pay for the Secrets Manager client.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  client.destroy();
  if (!SecretString) throw new ConfigurationError('The JWT signing secret in Secrets Manager has no string value');
  return SecretString;
}
