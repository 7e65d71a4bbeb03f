/**
 * The admin command: `npm run admin -- [--stack <data stack>] set-role <username> <admin|user>`.
 *
 * It talks to whichever DynamoDB the environment configures:
 * - `--stack ServerlessJwtAuth-Data`: the deployed tables, their names read from that stack's outputs
 *   (credentials and region from the usual AWS variables or profile);
 * - `USERS_TABLE`, `SESSIONS_TABLE` and `REVOCATIONS_TABLE` set: those tables, in AWS or at
 *   `DYNAMODB_ENDPOINT`;
 * - otherwise the local dev server's tables: at `DYNAMODB_ENDPOINT`, or in the embedded DynamoDB under
 *   .data/ (through the running `npm start` if there is one, else opened directly).
 *
 * What a role change does (and why taking admin away waits a moment) is in infra/roles.ts.
 */
import { tables, type TableId } from '#lib/tables';
import { ROLES, type Role } from '#lib/routes';
import { normalizeUsername, USERNAME_PATTERN } from '#lib/usernames';
import { embeddedDynamoDbPath, LOCAL_TABLE_PREFIX, runningServer } from './local/data-dir.ts';
import { startEmbeddedDynamoDb, type RunningDynamoDb } from './local/embedded-dynamodb.ts';
import { ensureTables, localTableNames, tableEnvironment } from './local/tables.ts';
import { tableNameOutput } from './names.ts';
import { FUNCTION_TIMEOUT_SECONDS } from './runtime-limits.ts';

const USAGE = 'Usage: npm run admin -- [--stack <data stack name>] set-role <username> <admin|user>';
/** The tables this command reads and writes. */
const NEEDED: readonly TableId[] = ['users', 'sessions', 'revocations'];

class UsageError extends Error {}

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

interface Command {
  stack: string | undefined;
  username: string;
  role: Role;
}

function parseArguments(argv: string[]): Command {
  const args = [...argv];
  let stack: string | undefined;
  if (args[0] === '--stack') {
    stack = args[1];
    if (stack === undefined || stack.startsWith('-')) throw new UsageError('--stack needs the name of the data stack');
    args.splice(0, 2);
  }
  const [command, rawUsername, role, ...extra] = args;
  if (command !== 'set-role' || rawUsername === undefined || role === undefined || extra.length > 0) throw new UsageError('');
  if (!ROLES.includes(role as Role)) throw new UsageError(`Unknown role "${role}": use admin or user.`);
  const username = normalizeUsername(rawUsername);
  if (!USERNAME_PATTERN.test(username)) throw new UsageError(`"${rawUsername}" is not a valid username.`);
  return { stack, username, role: role as Role };
}

/** Points the data modules at the deployed tables named in a stack's outputs. */
async function connectToStack(stackName: string): Promise<void> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({});
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    fail(`Cannot read stack "${stackName}": ${error instanceof Error ? error.message : String(error)}`);
  });
  const outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  for (const tableId of NEEDED) {
    const name = outputs.get(tableNameOutput(tableId));
    if (!name) fail(`Stack "${stackName}" has no output ${tableNameOutput(tableId)}: is it the data stack (e.g. ServerlessJwtAuth-Data)?`);
    process.env[tables[tableId].envVar] = name;
  }
}

/** Points the data modules at the local dev server's tables; returns the embedded DynamoDB it opened, if any. */
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

/** How long a login that read the old role can still be running, plus the index's lag. */
function settleSeconds(cloud: boolean): number {
  // In AWS a login can run until its Lambda timeout, and the sessions index may lag a few seconds. The dev server has no Lambda timeout and an index without lag; a login there takes a fraction of a second.
  return cloud ? FUNCTION_TIMEOUT_SECONDS + 5 : 2;
}

async function setRole({ username, role }: Command, cloud: boolean): Promise<string> {
  // Imported only now: the data modules read their table names from the environment when they load.
  const { changeRole } = await import('./roles.ts');
  const change = await changeRole(username, role, {
    settleSeconds: settleSeconds(cloud),
    onFirstSweep: (ended) => console.log(`Ended ${ended} session(s) of ${username}; checking again shortly for logins that were in flight…`),
  });
  switch (change.outcome) {
    case 'unknown-user':
      return fail(`No user named "${username}". Register it first (POST /auth/register).`);
    case 'unchanged':
      return `${username} already has role ${role}.`;
    case 'granted':
      return `${username} now has role ${role}. It reaches their tokens at their next token refresh or login.`;
    case 'taken-away':
      return `${username} now has role ${role}. Ended their ${change.endedSessions} session(s), so no token keeps the admin role.`;
  }
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message ? `${error.message}\n` : ''}${USAGE}`, 2);
    throw error;
  }

  let embedded: RunningDynamoDb | undefined;
  if (command.stack !== undefined) {
    await connectToStack(command.stack);
  } else if (process.env.USERS_TABLE !== undefined) {
    const missing = NEEDED.map((tableId) => tables[tableId].envVar).filter((name) => !process.env[name]);
    if (missing.length > 0) fail(`Set ${missing.join(' and ')} too, or use --stack <data stack name> to read them all from AWS.`, 2);
  } else {
    embedded = await connectLocal();
  }
  try {
    // No DYNAMODB_ENDPOINT by now means the tables are in AWS, behind Lambda functions.
    console.log(await setRole(command, process.env.DYNAMODB_ENDPOINT === undefined));
  } finally {
    await embedded?.close();
  }
}

main().catch((error: unknown) => {
  fail(`admin: ${error instanceof Error ? error.message : String(error)}`);
});
