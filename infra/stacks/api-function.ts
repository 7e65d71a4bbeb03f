import { fileURLToPath } from 'node:url';
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BUNDLE_RUNTIME_ENVIRONMENT, lambdaBundling } from '#infra/bundling';
import { FUNCTION_TIMEOUT_SECONDS } from '#infra/runtime-limits';
import type { FunctionAccess, TableAccess } from '#lib/routes';
import { tables, type TableDefinition, type TableId } from '#lib/tables';
import { pascalCase } from '#infra/names';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The runtime every function runs on; bundles target the same Node version (infra/bundling.ts). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

export interface ApiFunctionProps {
  /** Module under functions/ (without `.ts`) whose `handler` export Lambda invokes. */
  handler: string;
  /** What the function may touch, from lib/routes.ts: it gets exactly these grants and nothing else. */
  access: FunctionAccess;
  tables: Record<TableId, ITable>;
  signingSecret: ISecret;
  memorySize: number;
  /** Settings every function gets alike (token lifetimes, issuer, audience) and per-function ones (bcrypt cost). */
  settingsEnvironment: Record<string, string>;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  /** Declare DYNAMODB_ENDPOINT and JWT_SECRET (empty) so `sam local --env-vars` can set them. */
  samLocal: boolean;
}

/** `auth/login` → `AuthLoginFunction`: stable logical IDs, so `sam local invoke AuthLoginFunction` works. */
export function functionLogicalId(handler: string): string {
  return `${pascalCase(handler)}Function`;
}

/**
 * One Lambda function with the project's defaults: Node.js 22 on arm64 (about 20% cheaper per GB-s than
 * x86 for the same work), bundled by esbuild as minified ESM with source maps, its own log group with a
 * retention, and a role that can write to that log group and reach exactly the tables (read or
 * read-write) and the secret its `access` declares.
 */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.logRemovalPolicy });

    // Our own role instead of AWSLambdaBasicExecutionRole, whose logs permissions cover every log group
    // in the account: this one can write to this function's log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs functions/${props.handler}.ts`,
    });
    this.logGroup.grantWrite(role);

    const grantedTables = Object.entries(props.access.tables ?? {}) as [TableId, TableAccess][];
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}functions/${props.handler}.ts`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      role,
      logGroup: this.logGroup,
      bundling: lambdaBundling,
      environment: {
        ...BUNDLE_RUNTIME_ENVIRONMENT,
        ...props.settingsEnvironment,
        ...Object.fromEntries(grantedTables.map(([tableId]) => [tables[tableId].envVar, props.tables[tableId].tableName])),
        ...(props.access.signingKey && { JWT_SECRET_ARN: props.signingSecret.secretArn }),
        ...(props.samLocal && { DYNAMODB_ENDPOINT: '', ...(props.access.signingKey && { JWT_SECRET: '' }) }),
      },
      description: `functions/${props.handler}.ts`,
    });
    (this.function.node.defaultChild as CfnFunction).overrideLogicalId(functionLogicalId(props.handler));

    for (const [tableId, access] of grantedTables) grantTable(this, tableId, props.tables[tableId], access, role);
    if (props.access.signingKey) props.signingSecret.grantRead(role);

    Validations.of(this.function).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to nodejs22.x on purpose: the bundles target node22 (infra/bundling.ts) and the suite runs on that major; ' +
          'moving to a newer runtime is a deliberate change of both, made after running the tests and the cold-start benchmark.',
    });
  }
}

/**
 * Exactly read or read-write on one table, and Query on the indexes lib/tables.ts declares for it: never
 * `dynamodb:*`, never another table, no wildcard. (CDK's own grant on a table with indexes adds
 * `<table ARN>/index/*`; granting through an ARN-only reference and naming each index avoids it.)
 */
export function grantTable(scope: Construct, tableId: TableId, table: ITable, access: TableAccess, role: Role): void {
  const tableOnly = Table.fromTableArn(scope, `${pascalCase(tableId)}TableGrant`, table.tableArn);
  if (access === 'read') tableOnly.grantReadData(role);
  else tableOnly.grantReadWriteData(role);
  const definition: TableDefinition = tables[tableId];
  const indexes = definition.indexes ?? [];
  if (indexes.length > 0) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => `${table.tableArn}/index/${index.name}`),
      }),
    );
  }
}
