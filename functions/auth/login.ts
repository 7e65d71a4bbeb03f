import * as z from 'zod/mini';
import { InvalidCredentialsError } from '#lib/errors';
import { endpoint, type ApiRequest } from '#lib/http';
import { PresentedPasswordSchema, verifyPassword } from '#lib/passwords';
import { startSession } from '#lib/sessions';
import { tokenResponse } from '#lib/token-response';
import { issueTokens, newSessionId } from '#lib/tokens';
import { UsernameSchema, findUser } from '#lib/users';

const LoginBody = z.strictObject({ username: UsernameSchema, password: PresentedPasswordSchema });

/**
 * POST /auth/login. An unknown username and a wrong password get the same answer after the same work
 * (a bcrypt comparison against a dummy hash), so neither the body nor the timing tells which names exist.
 */
async function login({ body }: ApiRequest<'POST /auth/login', z.infer<typeof LoginBody>>) {
  const user = await findUser(body.username);
  const passwordMatches = await verifyPassword(body.password, user?.passwordHash);
  if (!user || !passwordMatches) throw new InvalidCredentialsError();

  const sid = newSessionId();
  const tokens = await issueTokens(user, sid);
  await startSession({ sid, username: user.username, refreshJti: tokens.refreshJti, expiresAt: tokens.refreshExpiresAt });
  return tokenResponse(tokens);
}

export const handler = endpoint({ route: 'POST /auth/login', body: LoginBody }, login);
