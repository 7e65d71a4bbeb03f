import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, readAttribute, tableName } from '#lib/dynamo';
import { ConflictError } from '#lib/errors';
import type { Role } from '#lib/routes';

export interface User {
  username: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
}

const usersTable = tableName('users');

function toRole(value: unknown): Role {
  // An unexpected stored value never becomes an admin.
  return value === 'admin' ? 'admin' : 'user';
}

/** Creates the account, or throws 409 `username_taken`: the condition makes concurrent sign-ups race safely. */
export async function createUser(user: User): Promise<void> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: usersTable,
        Item: user,
        ConditionExpression: 'attribute_not_exists(username)',
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // An SDK retry of our own write (its first answer lost) finds the item it wrote: same salted hash.
    if ((await readAttribute(usersTable, { username: user.username }, 'passwordHash')) === user.passwordHash) return;
    throw new ConflictError('username_taken', 'That username is already taken');
  }
}

export function userFromItem(item: Record<string, unknown> | undefined): User | undefined {
  if (!item || typeof item.username !== 'string' || typeof item.passwordHash !== 'string') return undefined;
  return {
    username: item.username,
    role: toRole(item.role),
    passwordHash: item.passwordHash,
    createdAt: typeof item.createdAt === 'string' ? item.createdAt : '',
  };
}

/** Sets the role and returns the one it replaced, or undefined when there is no such user. */
export async function setUserRole(username: string, role: Role): Promise<Role | undefined> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: usersTable,
        Key: { username },
        UpdateExpression: 'SET #role = :role',
        ConditionExpression: 'attribute_exists(username)',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':role': role },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return toRole(Attributes?.role);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
