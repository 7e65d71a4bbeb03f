/**
 * The admin command: `npm run admin -- set-role <username> <admin|user>`.
 *
 * It talks to whichever DynamoDB the environment configures:
 * - `USERS_TABLE` set: that table, in AWS (credentials and region from the usual AWS variables or
 *   profile) or at `DYNAMODB_ENDPOINT`;
 * - otherwise the local dev server's tables: at `DYNAMODB_ENDPOINT`, or in the embedded DynamoDB under
 *   .data/ (through the running `npm start` if there is one, else opened directly).
 *
 * A role change reaches a user's tokens at their next login or refresh (at most one access-token lifetime).
 */
import { normalizeUsername, USERNAME_PATTERN } from '#lib/usernames';
import { ROLES, type Role } from '#lib/routes';
import { embeddedDynamoDbPath, LOCAL_TABLE_PREFIX, runningServer } from './local/data-dir.ts';
import { startEmbeddedDynamoDb, type RunningDynamoDb } from './local/embedded-dynamodb.ts';
import { ensureTables, localTableNames, tableEnvironment } from './local/tables.ts';

const USAGE = 'Usage: npm run admin -- set-role <username> <admin|user>';

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseArguments(argv: string[]): { username: string; role: Role } {
  const [command, rawUsername, role, ...extra] = argv;
  if (command !== 'set-role' || rawUsername === undefined || role === undefined || extra.length > 0) fail(USAGE, 2);
  if (!ROLES.includes(role as Role)) fail(`Unknown role "${role}": use admin or user.\n${USAGE}`, 2);
  const username = normalizeUsername(rawUsername);
  if (!USERNAME_PATTERN.test(username)) fail(`"${rawUsername}" is not a valid username.`, 2);
  return { username, role: role as Role };
}

async function connectLocal(): Promise<RunningDynamoDb | undefined> {
  const names = localTableNames(LOCAL_TABLE_PREFIX);
  let endpoint = process.env.DYNAMODB_ENDPOINT ?? runningServer()?.dynamoDbEndpoint;
  let embedded: RunningDynamoDb | undefined;
  if (endpoint === undefined) {
    embedded = await startEmbeddedDynamoDb({ path: embeddedDynamoDbPath });
    endpoint = embedded.endpoint;
  }
  await ensureTables(endpoint, names);
  Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint, ...tableEnvironment(names) });
  return embedded;
}

async function main(): Promise<void> {
  const { username, role } = parseArguments(process.argv.slice(2));
  const embedded = process.env.USERS_TABLE === undefined ? await connectLocal() : undefined;
  try {
    // Imported only now: the users module reads its table name from the environment when it loads.
    const { setUserRole } = await import('#lib/users');
    if (!(await setUserRole(username, role))) fail(`No user named "${username}". Register it first (POST /auth/register).`);
    console.log(`${username} now has role ${role}. It takes effect at their next login or token refresh.`);
  } finally {
    await embedded?.close();
  }
}

main().catch((error: unknown) => {
  fail(`admin: ${error instanceof Error ? error.message : String(error)}`);
});
