import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { InvalidTokenError } from '#lib/errors';
import type { AuthorizerContext } from '#lib/http';
import { logger } from '#lib/logger';
import { isSessionRevoked } from '#lib/revocation';
import { bearerToken, verifyAccessToken, type AccessClaims } from '#lib/tokens';

/**
 * The shared Lambda authorizer (HTTP API, payload 2.0, simple responses). It verifies the access token
 * (HS256 pinned, `typ`, `iss`, `aud`, required claims) and checks the session against the blocklist in
 * exactly one DynamoDB read.
 *
 * Any token problem throws `Unauthorized`, which API Gateway turns into 401. Any other failure (DynamoDB
 * unreachable, throttled) propagates, and API Gateway answers 500: it never allows the request.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const token = bearerToken(event.headers?.authorization ?? event.identitySource?.[0]);
  if (token === undefined) throw unauthorized('no bearer token');

  let claims: AccessClaims;
  try {
    claims = await verifyAccessToken(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthorized('invalid access token');
    throw error;
  }

  if (await isSessionRevoked(claims.sid)) throw unauthorized('session revoked');

  return {
    isAuthorized: true,
    context: { sub: claims.username, role: claims.role, sid: claims.sid, jti: claims.jti },
  };
}

function unauthorized(reason: string): Error {
  logger.info('authorizer denied', { reason });
  // API Gateway maps exactly this message to 401; any other error becomes 500.
  return new Error('Unauthorized');
}
