import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from '#lib/dynamo';
import { NotFoundError, ValidationError } from '#lib/errors';
import { ULID_PATTERN, newUlid } from '#lib/ids';
import { tables } from '#lib/tables';

/**
 * To-dos are keyed by id alone, so an admin can delete any of them by id in one request, and listed
 * through the `byOwner` index (owner, id): ids are ULIDs, so ascending id is oldest first.
 * Every read and write of a single to-do is conditioned on the owner, so another user's to-do behaves
 * exactly like a missing one.
 */

export interface Todo {
  id: string;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}

const todosTable = tableName('todos');
const byOwnerIndex = tables.todos.indexes[0].name;
const NOT_FOUND_MESSAGE = 'No to-do with that id';

function toTodo(item: Record<string, unknown>): Todo {
  return {
    id: String(item.id),
    title: String(item.title),
    done: item.done === true,
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

/** A path id that is not a ULID cannot name a to-do: 404 without asking DynamoDB. */
function checkedId(id: string): string {
  if (!ULID_PATTERN.test(id)) throw new NotFoundError(NOT_FOUND_MESSAGE);
  return id;
}

export async function createTodo(owner: string, input: { title: string; done?: boolean | undefined }): Promise<Todo> {
  const now = new Date().toISOString();
  const todo: Todo = { id: newUlid(), title: input.title, done: input.done ?? false, createdAt: now, updatedAt: now };
  try {
    await dynamo.send(
      new PutCommand({
        TableName: todosTable,
        Item: { ...todo, owner },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  } catch (error) {
    // 80 random bits make an id collision impossible in practice: an existing item is our own write,
    // applied by an earlier try of this call whose answer the SDK lost before retrying.
    if (!isConditionalCheckFailed(error)) throw error;
  }
  return todo;
}

export async function getTodo(owner: string, id: string): Promise<Todo> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: todosTable, Key: { id: checkedId(id) }, ConsistentRead: true }));
  if (!Item || Item.owner !== owner) throw new NotFoundError(NOT_FOUND_MESSAGE);
  return toTodo(Item);
}

export async function updateTodo(
  owner: string,
  id: string,
  changes: { title?: string | undefined; done?: boolean | undefined },
): Promise<Todo> {
  const assignments = ['updatedAt = :now'];
  const values: Record<string, unknown> = { ':now': new Date().toISOString(), ':owner': owner };
  if (changes.title !== undefined) {
    assignments.push('title = :title');
    values[':title'] = changes.title;
  }
  if (changes.done !== undefined) {
    assignments.push('done = :done');
    values[':done'] = changes.done;
  }
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: todosTable,
        Key: { id: checkedId(id) },
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) throw new NotFoundError(NOT_FOUND_MESSAGE);
    return toTodo(Attributes);
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(NOT_FOUND_MESSAGE);
    throw error;
  }
}

/** Deletes whoever's to-do it is: callers check the admin role first. */
export async function deleteTodo(id: string): Promise<void> {
  try {
    await dynamo.send(
      new DeleteCommand({ TableName: todosTable, Key: { id: checkedId(id) }, ConditionExpression: 'attribute_exists(id)' }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(NOT_FOUND_MESSAGE);
    throw error;
  }
}

export interface TodoPage {
  items: Todo[];
  nextCursor: string | null;
}

export async function listTodos(owner: string, options: { limit: number; cursor?: string | undefined }): Promise<TodoPage> {
  const after = options.cursor === undefined ? undefined : decodeCursor(owner, options.cursor);
  // One more than asked tells whether another page exists without returning an empty last page.
  const { Items = [] } = await dynamo.send(
    new QueryCommand({
      TableName: todosTable,
      IndexName: byOwnerIndex,
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': owner },
      ExclusiveStartKey: after === undefined ? undefined : { owner, id: after },
      Limit: options.limit + 1,
    }),
  );
  const items = Items.slice(0, options.limit).map(toTodo);
  const last = items.at(-1);
  return { items, nextCursor: Items.length > options.limit && last ? encodeCursor(owner, last.id) : null };
}

/**
 * Cursors are opaque to clients: base64url JSON of the last id and a tag of its owner. The query is
 * always keyed on the caller, so no cursor could reach another user's items; the tag makes a cursor
 * from another user's listing a clear 400 rather than a silently different page.
 */
function ownerTag(owner: string): string {
  return createHash('sha256').update(`todo-cursor:${owner}`).digest('base64url').slice(0, 16);
}

function encodeCursor(owner: string, lastId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, o: ownerTag(owner), k: lastId })).toString('base64url');
}

const INVALID_CURSOR = 'cursor is not a cursor this API returned for your list';

function decodeCursor(owner: string, cursor: string): string {
  const invalid = () => new ValidationError('The query string is invalid', [{ path: 'cursor', message: INVALID_CURSOR }]);
  if (cursor.length > 256 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { v, o, k, ...rest } = parsed as Record<string, unknown>;
  if (v !== 1 || o !== ownerTag(owner) || typeof k !== 'string' || !ULID_PATTERN.test(k) || Object.keys(rest).length > 0) {
    throw invalid();
  }
  return k;
}
