import * as z from 'zod/mini';
import { InvalidCredentialsError, TooManyAttemptsError } from '#lib/errors';
import { endpoint, type ApiRequest } from '#lib/http';
import { clearAttempts, lockedForSeconds, readLoginState, reserveAttempt } from '#lib/lockout';
import { PresentedPasswordSchema, verifyPassword } from '#lib/passwords';
import { startSession } from '#lib/sessions';
import { tokenResponse } from '#lib/token-response';
import { issueTokens, newSession } from '#lib/tokens';
import { UsernameSchema } from '#lib/schemas';

const LoginBody = z.strictObject({ username: UsernameSchema, password: PresentedPasswordSchema });

/**
 * POST /auth/login. A locked account is refused before its password is looked at. Otherwise the attempt
 * is counted with a conditional write (so parallel guesses cannot outrun the lockout: the losers of a race
 * are refused whatever their password) while the password is checked. An
 * unknown username and a wrong password get the same answer after the same work (a bcrypt comparison
 * against a dummy hash, the same counter writes), so neither body nor timing tells which names exist.
 */
async function login({ body, sourceIp }: ApiRequest<'POST /auth/login', z.infer<typeof LoginBody>>) {
  const { user, attempts } = await readLoginState(body.username);
  const lockedFor = lockedForSeconds(attempts);
  if (lockedFor > 0) throw new TooManyAttemptsError(lockedFor);
  // The attempt is counted while bcrypt runs; no answer leaves before the count is written.
  const [reserved, passwordMatches] = await Promise.all([
    reserveAttempt(body.username, attempts, sourceIp),
    verifyPassword(body.password, user?.passwordHash),
  ]);
  // Lost the race to a parallel attempt on the same account: refused whatever the password, retry in a second.
  if (!reserved) throw new TooManyAttemptsError(1);
  if (!user || !passwordMatches) throw new InvalidCredentialsError();

  const session = newSession();
  const tokens = await issueTokens(user, session);
  await Promise.all([
    startSession({ sid: session.sid, username: user.username, refreshJti: tokens.refreshJti, expiresAt: tokens.refreshExpiresAt }),
    clearAttempts(user.username),
  ]);
  return tokenResponse(tokens);
}

export const handler = endpoint({ route: 'POST /auth/login', body: LoginBody }, login);
