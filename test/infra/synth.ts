import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineApp, type DefinedApp } from '#infra/stacks/define-app';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> };

export interface SynthesizedApp extends DefinedApp {
  assembly: CloudAssembly;
  outdir: string;
  data: Template;
  api: Template;
  /** The policy validation report CDK writes next to the templates (cdk-nag's findings). */
  validationReport: { pluginReports: { pluginName?: string; conclusion?: string; violations?: unknown[] }[] };
}

/**
 * The app as `cdk synth` builds it: cdk.json's feature flags, the given context (`-c` options), cdk-nag's
 * AWS Solutions checks (which make `app.synth()` throw on any finding not acknowledged), real bundling.
 */
export function synthesize(context: Record<string, unknown> = {}, outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'))): SynthesizedApp {
  // The CLI asks for asset metadata (aws:asset:path), which SAM uses to find each function's code.
  const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true, ...context } });
  const defined = defineApp(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const assembly = app.synth();
  return {
    ...defined,
    assembly,
    outdir,
    data: Template.fromStack(defined.stateful),
    api: Template.fromStack(defined.stateless),
    validationReport: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as SynthesizedApp['validationReport'],
  };
}

export type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/** A value deep inside template JSON (`at(fn.Properties, 'LoggingConfig', 'LogGroup', 'Ref')`), or undefined. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}
