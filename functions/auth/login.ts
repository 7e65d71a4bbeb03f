import * as z from 'zod/mini';
import { InvalidCredentialsError, TooManyAttemptsError } from '#lib/errors';
import { endpoint, type ApiRequest } from '#lib/http';
import { clearAttempts, lockedForSeconds, readLoginState, reserveAttempt } from '#lib/lockout';
import { PresentedPasswordSchema, verifyPassword } from '#lib/passwords';
import { startSession } from '#lib/sessions';
import { tokenResponse } from '#lib/token-response';
import { issueTokens, newSessionId } from '#lib/tokens';
import { UsernameSchema } from '#lib/users';

const LoginBody = z.strictObject({ username: UsernameSchema, password: PresentedPasswordSchema });

/**
 * POST /auth/login. A locked account is refused before its password is looked at. Otherwise the attempt
 * is counted first (so parallel guesses cannot outrun the lockout), then the password is checked. An
 * unknown username and a wrong password get the same answer after the same work (a bcrypt comparison
 * against a dummy hash, the same counter writes), so neither body nor timing tells which names exist.
 */
async function login({ body, sourceIp }: ApiRequest<'POST /auth/login', z.infer<typeof LoginBody>>) {
  const { user, attempts } = await readLoginState(body.username);
  const lockedFor = lockedForSeconds(attempts);
  if (lockedFor > 0) throw new TooManyAttemptsError(lockedFor);
  // Lost the race to a parallel attempt on the same account: the client may retry in a second.
  if (!(await reserveAttempt(body.username, attempts, sourceIp))) throw new TooManyAttemptsError(1);

  const passwordMatches = await verifyPassword(body.password, user?.passwordHash);
  if (!user || !passwordMatches) throw new InvalidCredentialsError();

  const sid = newSessionId();
  const tokens = await issueTokens(user, sid);
  await Promise.all([
    startSession({ sid, username: user.username, refreshJti: tokens.refreshJti, expiresAt: tokens.refreshExpiresAt }),
    clearAttempts(user.username),
  ]);
  return tokenResponse(tokens);
}

export const handler = endpoint({ route: 'POST /auth/login', body: LoginBody }, login);
