/**
 * The CDK app (`npm run synth`, `npm run deploy`; cdk.json runs this file). Context options are read
 * and checked in infra/settings.ts and documented in docs/deploy.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineApp } from './stacks/define-app.ts';

const app = new App();
defineApp(app);
// cdk-nag's AWS Solutions rules on every synth: any finding not acknowledged fails it. Each accepted
// finding is acknowledged next to the resource it concerns, with the reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
