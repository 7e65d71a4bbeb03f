import { RemovalPolicy, type App } from 'aws-cdk-lib';
import { readSettings, type DeploymentSettings } from '#infra/settings';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface DefinedApp {
  settings: DeploymentSettings;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * The two stacks of a deployment, configured from the app's context. No `env`: the stacks are
 * environment-agnostic (no lookups), so `cdk synth` works offline and `cdk deploy` takes the account
 * and region from the caller's AWS profile.
 */
export function defineApp(app: App): DefinedApp {
  const settings = readSettings(app.node);
  const stateful = new StatefulStack(app, `${settings.stackPrefix}-Data`, {
    description: 'Serverless JWT auth: DynamoDB tables and the JWT signing secret',
    removalPolicy: settings.destroyOnRemove ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  const stateless = new StatelessStack(app, `${settings.stackPrefix}-Api`, {
    description: 'Serverless JWT auth: Lambda functions and the HTTP API',
    tables: stateful.tables,
    signingSecret: stateful.signingSecret,
    settings,
  });
  return { settings, stateful, stateless };
}
