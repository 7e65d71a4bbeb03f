import * as z from 'zod/mini';
import { endpoint, json, type ApiRequest } from '#lib/http';
import { assertAcceptablePassword } from '#lib/password-policy';
import { NewPasswordSchema, hashPassword } from '#lib/passwords';
import { UsernameSchema } from '#lib/schemas';
import { createUser } from '#lib/users';

const RegisterBody = z.strictObject({ username: UsernameSchema, password: NewPasswordSchema });

/** POST /auth/register: self-registration always creates role `user`; admins are made by the admin command. */
async function register({ body }: ApiRequest<'POST /auth/register', z.infer<typeof RegisterBody>>) {
  await assertAcceptablePassword(body.password, body.username);
  const user = {
    username: body.username,
    role: 'user' as const,
    passwordHash: await hashPassword(body.password),
    createdAt: new Date().toISOString(),
  };
  await createUser(user);
  return json(201, { username: user.username, role: user.role, createdAt: user.createdAt });
}

export const handler = endpoint({ route: 'POST /auth/register', body: RegisterBody }, register);
