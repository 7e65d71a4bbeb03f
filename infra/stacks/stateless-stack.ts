import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  type CorsHttpMethod,
  HttpApi,
  type HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { authorizer as authorizerDefinition, listRoutes, type FunctionAccess } from '#lib/routes';
import type { TableId } from '#lib/tables';
import type { DeploymentSettings } from '#infra/settings';
import { integerSettings } from '#lib/config';
import { ApiFunction } from './api-function.ts';
import { pascalCase } from '#infra/names';

export interface StatelessStackProps extends StackProps {
  tables: Record<TableId, ITable>;
  signingSecret: ISecret;
  settings: DeploymentSettings;
}

/**
 * bcrypt (routes marked `cpuBound`) is CPU-bound and Lambda hands out CPU in proportion to memory: at 1024 MB a cost-10 hash
 * takes ~0.1 s instead of ~0.2 s at 512 MB, for about the same GB-s. The other functions spend their
 * time waiting on one or two DynamoDB calls, where more memory buys nothing.
 */
const BCRYPT_MEMORY_MB = 1024;
const DEFAULT_MEMORY_MB = 512;

/** The access log: who called what and how it ended. No body, no headers (so no Authorization), no query string. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    authorizerError: '$context.authorizer.error',
    errorMessage: '$context.error.message',
  }),
);

/**
 * What can be redeployed at will: one function per route of lib/routes.ts plus the shared authorizer,
 * and the HTTP API in front of them. Tables and the secret come in from the stateful stack.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly functions: Map<string, ApiFunction>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRemovalPolicy = settings.destroyOnRemove ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    const routes = listRoutes();
    const definitions: { handler: string; access: FunctionAccess; cpuBound?: boolean }[] = [authorizerDefinition, ...routes];
    this.functions = new Map(
      definitions.map(({ handler, access, cpuBound }) => [
        handler,
        new ApiFunction(this, pascalCase(handler), {
          handler,
          access,
          tables: props.tables,
          signingSecret: props.signingSecret,
          memorySize: cpuBound ? BCRYPT_MEMORY_MB : DEFAULT_MEMORY_MB,
          settingsEnvironment: {
            ...settings.tokenEnvironment,
            ...(cpuBound && { [integerSettings.bcryptCost.env]: String(settings.bcryptCost) }),
          },
          logRetention: settings.logRetention,
          logRemovalPolicy,
          samLocal: settings.samLocal,
        }),
      ]),
    );

    const authorizer = new HttpLambdaAuthorizer('AccessTokenAuthorizer', this.functionFor(authorizerDefinition.handler), {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(settings.authorizerCacheTtlSeconds),
    });

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Serverless JWT auth and to-do API',
      createDefaultStage: false,
      ...(settings.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: settings.corsOrigins,
          allowMethods: [...new Set(routes.map((route) => route.method))].map((method) => method as CorsHttpMethod),
          allowHeaders: ['authorization', 'content-type'],
          exposeHeaders: ['location'],
          // Bearer tokens, not cookies: browsers never need to send credentials cross-origin.
          allowCredentials: false,
          maxAge: Duration.hours(1),
        },
      }),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetention, removalPolicy: logRemovalPolicy });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.throttleRateLimit, burstLimit: settings.throttleBurstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    // CloudFormation's RouteSettings is a free-form JSON map keyed by route key: written as CloudFormation spells it.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of routes) {
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration: new HttpLambdaIntegration(`${pascalCase(route.handler)}Integration`, this.functionFor(route.handler)),
        ...(route.auth === 'access-token' && { authorizer }),
      });
      if (!httpRoute) continue;
      suppressRouteFindings(httpRoute, route.auth);
      if (route.cpuBound) {
        routeSettings[route.key] = {
          ThrottlingRateLimit: settings.passwordRouteRateLimit,
          ThrottlingBurstLimit: settings.passwordRouteBurstLimit,
        };
        // Route settings name routes by key: the stage may only be created once they exist.
        stage.node.addDependency(httpRoute);
      }
    }
    (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
  }

  private functionFor(handler: string) {
    const apiFunction = this.functions.get(handler);
    if (!apiFunction) throw new Error(`No function was created for functions/${handler}.ts`);
    return apiFunction.function;
  }
}

function suppressRouteFindings(route: HttpRoute, auth: 'none' | 'access-token' | 'refresh-token'): void {
  const cognito = {
    id: 'AwsSolutions-COG4',
    reason:
      'Access tokens are the API\'s own HS256 JWTs, checked by its Lambda authorizer (functions/authorizer.ts) with revocation; ' +
      'there is no Cognito user pool by design.',
  };
  if (auth === 'access-token') {
    Validations.of(route).acknowledge(cognito);
    return;
  }
  Validations.of(route).acknowledge(cognito, {
      id: 'AwsSolutions-APIG4',
      reason:
        auth === 'none'
          ? 'Public by design: registering and logging in are how a caller obtains a token in the first place.'
          : 'No API Gateway authorizer by design: /auth/refresh takes a refresh token, which the function verifies itself; ' +
            'the shared authorizer accepts access tokens only, never refresh tokens (lib/routes.ts).',
  });
}
