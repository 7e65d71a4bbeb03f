import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableNameOutput } from '#infra/names';
import { FUNCTION_TIMEOUT_SECONDS } from '#infra/runtime-limits';
import { functionLogicalId } from '#infra/stacks/api-function';
import { authorizer, listRoutes, type FunctionAccess } from '#lib/routes';
import { tables, type TableDefinition, type TableId } from '#lib/tables';
import { at, resourcesOfType, synthesize, type Resource, type SynthesizedApp } from './synth.ts';

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const functionDefinitions: { handler: string; access: FunctionAccess }[] = [authorizer, ...listRoutes()];
const tableIds = Object.keys(tables) as TableId[];

let defaults: SynthesizedApp;
let customized: SynthesizedApp;

beforeAll(() => {
  defaults = synthesize();
  customized = synthesize({
    authorizerCacheTtlSeconds: '300',
    destroyOnRemove: 'true',
    corsOrigins: 'https://app.example.com,http://localhost:5173',
    throttleRateLimit: '7',
    throttleBurstLimit: '9',
    accessTokenTtlSeconds: '600',
    refreshTokenTtlSeconds: '86400',
    issuer: 'https://auth.example.com',
    bcryptCost: '12',
  });
}, 300_000);

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The statements of the role a function runs as, from the synthesized template. */
function statementsOf(app: SynthesizedApp, handler: string): Statement[] {
  const fn = app.api.toJSON().Resources[functionLogicalId(handler)] as Resource | undefined;
  if (!fn) throw new Error(`no function ${functionLogicalId(handler)}`);
  const roleLogicalId = at(fn.Properties.Role, 'Fn::GetAtt', 0);
  return resourcesOfType(app.api, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId))
    .flatMap(([, policy]) => at(policy.Properties, 'PolicyDocument', 'Statement') as Statement[]);
}

const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const resourcesOf = (statement: Statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]);
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The ARN of a table as the API stack refers to it (a cross-stack reference). */
function tableArnInApiStack(app: SynthesizedApp, tableId: TableId): unknown {
  return app.stateless.resolve(app.stateful.tables[tableId].tableArn);
}

function grantedTableAccess(app: SynthesizedApp, handler: string): Partial<Record<TableId, 'read' | 'read-write'>> {
  const granted: Partial<Record<TableId, 'read' | 'read-write'>> = {};
  for (const statement of statementsOf(app, handler)) {
    for (const tableId of tableIds) {
      if (!resourcesOf(statement).some((resource) => sameValue(resource, tableArnInApiStack(app, tableId)))) continue;
      granted[tableId] = actionsOf(statement).some((action) => WRITE_ACTIONS.includes(action)) ? 'read-write' : 'read';
    }
  }
  return granted;
}

function routeWithKey(app: SynthesizedApp, routeKey: string): Resource {
  const found = resourcesOfType(app.api, 'AWS::ApiGatewayV2::Route').find(([, candidate]) => candidate.Properties.RouteKey === routeKey);
  if (!found) throw new Error(`no route ${routeKey} in the template`);
  return found[1];
}

function tableLogicalId(app: SynthesizedApp, tableId: TableId): string {
  return app.stateful.getLogicalId(app.stateful.tables[tableId].node.defaultChild as CfnElement);
}

function tableResource(app: SynthesizedApp, tableId: TableId): Resource {
  return app.data.toJSON().Resources[tableLogicalId(app, tableId)] as Resource;
}

describe('HTTP API routes', () => {
  it('creates one route per entry of lib/routes.ts, integrated with that route’s own function', () => {
    const routeResources = resourcesOfType(defaults.api, 'AWS::ApiGatewayV2::Route');
    const integrations = defaults.api.toJSON().Resources as Record<string, Resource>;
    expect(routeResources.map(([, route]) => route.Properties.RouteKey).sort()).toEqual(listRoutes().map((route) => route.key).sort());

    for (const route of listRoutes()) {
      const resource = routeWithKey(defaults, `${route.method} ${route.path}`);
      const integrationId = JSON.stringify(resource.Properties.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
      expect(integrations[integrationId]?.Properties.IntegrationUri, route.key).toEqual({ 'Fn::GetAtt': [functionLogicalId(route.handler), 'Arn'] });
      expect(integrations[integrationId]?.Properties.PayloadFormatVersion, route.key).toBe('2.0');
    }
  });

  it('puts the Lambda authorizer on access-token routes and no authorizer on public and refresh-token routes', () => {
    const [[authorizerId]] = resourcesOfType(defaults.api, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    for (const route of listRoutes()) {
      const resource = routeWithKey(defaults, route.key);
      if (route.auth === 'access-token') {
        expect(resource.Properties.AuthorizationType, route.key).toBe('CUSTOM');
        expect(resource.Properties.AuthorizerId, route.key).toEqual({ Ref: authorizerId });
      } else {
        expect(resource.Properties.AuthorizationType ?? 'NONE', route.key).toBe('NONE');
        expect(resource.Properties.AuthorizerId, route.key).toBeUndefined();
      }
    }
  });

  it('uses a SIMPLE-response REQUEST authorizer on the Authorization header, uncached by default', () => {
    defaults.api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    defaults.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    const [[, resource]] = resourcesOfType(defaults.api, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    expect(JSON.stringify(resource.Properties.AuthorizerUri)).toContain(`"${functionLogicalId(authorizer.handler)}","Arn"`);
  });

  it('caches authorizer answers only when the authorizerCacheTtlSeconds context asks for it', () => {
    const cacheTtl = (app: SynthesizedApp) =>
      resourcesOfType(app.api, 'AWS::ApiGatewayV2::Authorizer').map(([, resource]) => resource.Properties.AuthorizerResultTtlInSeconds);

    expect(cacheTtl(defaults)).toEqual([0]);
    expect(cacheTtl(customized)).toEqual([300]);
  });

  it('throttles the stage, with limits the context can override', () => {
    const stageOf = (app: SynthesizedApp) => {
      const [[, stage]] = resourcesOfType(app.api, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      return { name: stage.Properties.StageName, throttle: at(stage.Properties, 'DefaultRouteSettings') };
    };

    expect(stageOf(defaults)).toEqual({ name: '$default', throttle: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } });
    expect(stageOf(customized).throttle).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
  });

  it('throttles the bcrypt routes tighter than the stage, and only those', () => {
    const [[, stage]] = resourcesOfType(defaults.api, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;

    const bcryptRoutes = listRoutes().filter((route) => route.cpuBound === true);
    expect(bcryptRoutes.map((route) => route.key).sort()).toEqual(['POST /auth/login', 'POST /auth/register']);
    expect(Object.keys(settings).sort()).toEqual(bcryptRoutes.map((route) => route.key).sort());
    for (const route of bcryptRoutes) expect(settings[route.key]).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
  });

  it('writes access logs to a log group with retention, without bodies, headers or query strings', () => {
    const [[, stage]] = resourcesOfType(defaults.api, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const logGroupId = String(at(stage.Properties, 'AccessLogSettings', 'DestinationArn', 'Fn::GetAtt', 0));
    expect(defaults.api.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    const format = String(at(stage.Properties, 'AccessLogSettings', 'Format'));
    expect(JSON.parse(format)).toHaveProperty('requestId', '$context.requestId');
    expect(format).not.toMatch(/\$request\.|header|body|querystring|authorization|\$context\.authorizer\.(?!error)/i);
  });

  it('has CORS off by default and allows exactly the origins given in context', () => {
    const [[, api]] = resourcesOfType(defaults.api, 'AWS::ApiGatewayV2::Api') as [[string, Resource]];
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    customized.api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://app.example.com', 'http://localhost:5173'], AllowCredentials: false },
    });
  });
});

describe('Lambda functions', () => {
  it('creates one function per route plus the authorizer, on nodejs22.x and arm64 with the shared timeout', () => {
    const functions = resourcesOfType(defaults.api, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(functionDefinitions.map(({ handler }) => functionLogicalId(handler)).sort());
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.Timeout, id).toBe(FUNCTION_TIMEOUT_SECONDS);
      expect(fn.Properties.Handler, id).toBe('index.handler');
    }
  });

  it('gives the bcrypt functions 1024 MB and the others less', () => {
    const memoryOf = (handler: string) => defaults.api.toJSON().Resources[functionLogicalId(handler)].Properties.MemorySize as number;
    expect(memoryOf('auth/register')).toBe(1024);
    expect(memoryOf('auth/login')).toBe(1024);
    for (const handler of ['authorizer', 'auth/me', 'todos/list']) expect(memoryOf(handler)).toBeLessThan(1024);
  });

  it('sends every function’s logs to its own log group with a retention', () => {
    const resources = defaults.api.toJSON().Resources as Record<string, Resource>;
    const logGroups = new Set<string>();
    for (const [id, fn] of resourcesOfType(defaults.api, 'AWS::Lambda::Function')) {
      const logGroupId = String(at(fn.Properties, 'LoggingConfig', 'LogGroup', 'Ref'));
      expect(logGroupId, id).toBeDefined();
      expect(resources[logGroupId]?.Type, id).toBe('AWS::Logs::LogGroup');
      expect(resources[logGroupId]?.Properties.RetentionInDays, id).toBe(30);
      logGroups.add(logGroupId);
    }
    expect(logGroups.size).toBe(functionDefinitions.length);
  });

  it('passes each function the table names it uses, and the secret ARN only where it signs or verifies', () => {
    for (const { handler, access } of functionDefinitions) {
      const variables = (defaults.api.toJSON().Resources[functionLogicalId(handler)].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
      const expectedTables = Object.keys(access.tables ?? {}) as TableId[];
      for (const tableId of tableIds) {
        if (expectedTables.includes(tableId)) {
          expect(variables[tables[tableId].envVar], `${handler} ${tableId}`).toEqual(defaults.stateless.resolve(defaults.stateful.tables[tableId].tableName));
        } else {
          expect(variables, `${handler} ${tableId}`).not.toHaveProperty(tables[tableId].envVar);
        }
      }
      if (access.signingKey) {
        expect(variables.JWT_SECRET_ARN, handler).toEqual(defaults.stateless.resolve(defaults.stateful.signingSecret.secretArn));
      } else {
        expect(variables, handler).not.toHaveProperty('JWT_SECRET_ARN');
      }
      // Local-only variables stay out of the deployed template.
      expect(variables, handler).not.toHaveProperty('JWT_SECRET');
      expect(variables, handler).not.toHaveProperty('DYNAMODB_ENDPOINT');
    }
  });
});

describe('function settings', () => {
  const environmentOf = (app: SynthesizedApp, handler: string) =>
    (at(app.api.toJSON().Resources[functionLogicalId(handler)], 'Properties', 'Environment', 'Variables') ?? {}) as Record<string, unknown>;
  const tokenVariables = ['ACCESS_TOKEN_TTL_SECONDS', 'REFRESH_TOKEN_TTL_SECONDS', 'SESSION_MAX_LIFETIME_SECONDS', 'JWT_ISSUER', 'JWT_AUDIENCE'];
  const tokenEnvironmentOf = (app: SynthesizedApp, handler: string) =>
    Object.fromEntries(tokenVariables.map((name) => [name, environmentOf(app, handler)[name]]));

  it('gives every function the same token settings, so revoking functions agree with signing ones', () => {
    for (const app of [defaults, customized]) {
      const reference = tokenEnvironmentOf(app, authorizer.handler);
      for (const { handler } of functionDefinitions) expect(tokenEnvironmentOf(app, handler), handler).toEqual(reference);
    }
    expect(tokenEnvironmentOf(defaults, 'auth/logout')).toEqual({
      ACCESS_TOKEN_TTL_SECONDS: '900',
      REFRESH_TOKEN_TTL_SECONDS: '2592000',
      SESSION_MAX_LIFETIME_SECONDS: '7776000',
      JWT_ISSUER: 'serverless-jwt-auth',
      JWT_AUDIENCE: 'serverless-jwt-auth-api',
    });
    expect(tokenEnvironmentOf(customized, 'auth/logout')).toMatchObject({
      ACCESS_TOKEN_TTL_SECONDS: '600',
      REFRESH_TOKEN_TTL_SECONDS: '86400',
      JWT_ISSUER: 'https://auth.example.com',
    });
  });

  it('gives the bcrypt cost to the functions that hash passwords, and to no other', () => {
    for (const { handler } of functionDefinitions) {
      const cpuBound = listRoutes().some((route) => route.handler === handler && route.cpuBound === true);
      expect(environmentOf(defaults, handler).BCRYPT_COST, handler).toBe(cpuBound ? '10' : undefined);
      expect(environmentOf(customized, handler).BCRYPT_COST, handler).toBe(cpuBound ? '12' : undefined);
    }
  });

  it('refuses settings out of range at synth, naming the option', () => {
    expect(() => synthesize({ accessTokenTtlSeconds: '5' })).toThrow(/accessTokenTtlSeconds must be a whole number from 30/);
    expect(() => synthesize({ bcryptCost: '31' })).toThrow(/bcryptCost/);
    expect(() => synthesize({ issuer: 'has spaces in it' })).toThrow(/issuer/);
  });
});

describe('least privilege', () => {
  it('grants each function exactly the table access lib/routes.ts declares', () => {
    for (const { handler, access } of functionDefinitions) {
      expect(grantedTableAccess(defaults, handler), handler).toEqual(access.tables ?? {});
    }
  });

  it('lets the authorizer read the revocations table and the secret, and nothing else', () => {
    const statements = statementsOf(defaults, authorizer.handler);
    expect(grantedTableAccess(defaults, authorizer.handler)).toEqual({ revocations: 'read' });
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => WRITE_ACTIONS.includes(action))).toEqual([]);
    const revocationsArn = tableArnInApiStack(defaults, 'revocations');
    for (const statement of statements.filter((s) => actionsOf(s).some((action) => action.startsWith('dynamodb:')))) {
      expect(resourcesOf(statement)).toEqual([revocationsArn]);
    }
    expect(new Set(actions.map((action) => action.split(':')[0]))).toEqual(new Set(['logs', 'dynamodb', 'secretsmanager']));
  });

  it('never lets a function without signingKey read the secret', () => {
    const secretArn = defaults.stateless.resolve(defaults.stateful.signingSecret.secretArn);
    for (const { handler, access } of functionDefinitions) {
      const secretStatements = statementsOf(defaults, handler).filter(
        (statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')) || resourcesOf(statement).some((r) => sameValue(r, secretArn)),
      );
      if (access.signingKey) {
        expect(secretStatements.flatMap(actionsOf).sort(), handler).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        expect(secretStatements.flatMap(resourcesOf), handler).toEqual([secretArn]);
      } else {
        expect(secretStatements, handler).toEqual([]);
      }
    }
    for (const route of listRoutes().filter((route) => route.handler.startsWith('todos/'))) {
      expect(route.access.signingKey, route.key).toBeFalsy();
    }
  });

  it('has no wildcard action and no wildcard resource on any DynamoDB statement', () => {
    for (const { handler } of functionDefinitions) {
      for (const statement of statementsOf(defaults, handler)) {
        for (const action of actionsOf(statement)) expect(action, handler).not.toMatch(/\*/);
        if (actionsOf(statement).some((action) => action.startsWith('dynamodb:'))) {
          for (const resource of resourcesOf(statement)) expect(JSON.stringify(resource), handler).not.toContain('*');
        }
      }
    }
  });

  it('lets each function write only to its own log group', () => {
    for (const { handler } of functionDefinitions) {
      const fn = defaults.api.toJSON().Resources[functionLogicalId(handler)] as Resource;
      const logStatements = statementsOf(defaults, handler).filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
      expect(logStatements.flatMap(resourcesOf), handler).toEqual([{ 'Fn::GetAtt': [at(fn.Properties, 'LoggingConfig', 'LogGroup', 'Ref'), 'Arn'] }]);
    }
    defaults.api.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: [] }, 0);
    for (const [id, role] of resourcesOfType(defaults.api, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
  });
});

describe('stateful resources', () => {
  it('outputs every table name under the key the admin command reads with --stack', () => {
    const outputs = defaults.data.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const tableId of tableIds) {
      const logicalId = tableLogicalId(defaults, tableId);
      expect(outputs[tableNameOutput(tableId)]?.Value, tableId).toEqual({ Ref: logicalId });
    }
  });

  it('creates every table of lib/tables.ts on demand with its keys, indexes and TTL attribute', () => {
    defaults.data.resourceCountIs('AWS::DynamoDB::Table', tableIds.length);
    for (const tableId of tableIds) {
      const definition: TableDefinition = tables[tableId];
      const { Properties: table } = tableResource(defaults, tableId);
      expect(table.BillingMode, tableId).toBe('PAY_PER_REQUEST');
      expect(table.KeySchema, tableId).toEqual([{ AttributeName: definition.partitionKey, KeyType: 'HASH' }]);
      expect(table.TableName, tableId).toBeUndefined();
      expect(
        ((table.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown; Projection: unknown }[]).map((index) => [
          index.IndexName,
          index.KeySchema,
          index.Projection,
        ]),
        tableId,
      ).toEqual(
        (definition.indexes ?? []).map((index) => [
          index.name,
          [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          { ProjectionType: index.projection === 'keys-only' ? 'KEYS_ONLY' : 'ALL' },
        ]),
      );
      if (definition.ttlAttribute === undefined) expect(table.TimeToLiveSpecification, tableId).toBeUndefined();
      else expect(table.TimeToLiveSpecification, tableId).toEqual({ AttributeName: definition.ttlAttribute, Enabled: true });
    }
  });

  it('enables TTL on the revocation blocklist', () => {
    expect(tableResource(defaults, 'revocations').Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('enables point-in-time recovery on the tables that hold user data, and only those', () => {
    for (const tableId of tableIds) {
      const pitr = at(tableResource(defaults, tableId).Properties, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled') ?? false;
      expect(pitr, tableId).toBe(tables[tableId].userData);
    }
    expect(tables.users.userData && tables.todos.userData).toBe(true);
  });

  it('retains tables and logs by default and deletes them when destroyOnRemove is set', () => {
    for (const tableId of tableIds) {
      expect(tableResource(defaults, tableId).DeletionPolicy, tableId).toBe('Retain');
      expect(tableResource(customized, tableId).DeletionPolicy, tableId).toBe('Delete');
    }
    for (const [id, logGroup] of resourcesOfType(defaults.api, 'AWS::Logs::LogGroup')) expect(logGroup.DeletionPolicy, id).toBe('Retain');
    for (const [id, logGroup] of resourcesOfType(customized.api, 'AWS::Logs::LogGroup')) expect(logGroup.DeletionPolicy, id).toBe('Delete');
  });

  it('generates a signing secret of at least 64 characters at deploy time', () => {
    const [[, secret]] = resourcesOfType(defaults.data, 'AWS::SecretsManager::Secret') as [[string, Resource]];
    expect(Number(at(secret.Properties, 'GenerateSecretString', 'PasswordLength'))).toBeGreaterThanOrEqual(64);
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('outputs the API URL, every table name and the secret ARN', () => {
    expect(Object.keys(defaults.api.findOutputs('ApiUrl'))).toEqual(['ApiUrl']);
    const outputs = defaults.data.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const tableId of tableIds) {
      const logicalId = defaults.stateful.getLogicalId(defaults.stateful.tables[tableId].node.defaultChild as CfnElement);
      expect(Object.values(outputs).some((output) => sameValue(output.Value, { Ref: logicalId })), tableId).toBe(true);
    }
    expect(outputs.SigningSecretArn?.Value).toEqual(defaults.stateful.resolve(defaults.stateful.signingSecret.secretArn));
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('leaves no finding unacknowledged', () => {
    const violations = defaults.validationReport.pluginReports.flatMap((report) => report.violations ?? []);
    expect(violations).toEqual([]);
    expect(customized.validationReport.pluginReports.flatMap((report) => report.violations ?? [])).toEqual([]);
  });

  it('fails the synth on a finding nobody acknowledged (the check is live)', () => {
    const app = new App();
    const stack = new Stack(app, 'Unreviewed');
    new Table(stack, 'NoRecovery', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});
