import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tables, type TableDefinition, type TableId } from '#lib/tables';
import { pascalCase, tableNameOutput } from '#infra/names';

export interface StatefulStackProps extends StackProps {
  /** RETAIN (default) keeps the tables when the stack is deleted; DESTROY is for throwaway stacks. */
  removalPolicy: RemovalPolicy;
}

/** Length of the generated signing secret: 64 alphanumerics ≈ 381 bits, well above HS256's 256. */
export const SIGNING_SECRET_LENGTH = 64;

/**
 * What must outlive a deployment: the tables and the JWT signing secret. Kept apart from the functions
 * and the API so that those can be replaced, renamed or torn down freely without touching data.
 */
export class StatefulStack extends Stack {
  readonly tables: Record<TableId, ITable>;
  readonly signingSecret: ISecret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    const created = {} as Record<TableId, Table>;
    for (const tableId of Object.keys(tables) as TableId[]) {
      created[tableId] = this.createTable(tableId, tables[tableId], props.removalPolicy);
    }
    this.tables = created;

    this.signingSecret = new Secret(this, 'JwtSigningSecret', {
      description: 'HS256 key of the JWT auth API: its UTF-8 bytes are the HMAC key (lib/signing-key.ts)',
      generateSecretString: { passwordLength: SIGNING_SECRET_LENGTH, excludePunctuation: true, includeSpace: false },
      // Worthless once the stack is gone (a new stack makes a new one, and the only cost of losing it
      // is that everyone logs in again); Secrets Manager still keeps it recoverable for 30 days.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.signingSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'No automatic rotation: the secret is the HMAC key of every access and refresh token, so rotating it logs every user out ' +
          'at once; the functions also cache it per cold start, so a rotation would split them between two keys until recycled. ' +
          'Rotate deliberately (docs/deploy.md) after a suspected leak.',
    });

    new CfnOutput(this, 'SigningSecretArn', {
      value: this.signingSecret.secretArn,
      description: 'Secrets Manager secret holding the JWT signing key',
    });
  }

  private createTable(tableId: TableId, definition: TableDefinition, removalPolicy: RemovalPolicy): Table {
    const constructId = `${pascalCase(tableId)}Table`;
    const table = new Table(this, constructId, {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: definition.userData },
      ...(definition.ttlAttribute !== undefined && { timeToLiveAttribute: definition.ttlAttribute }),
      removalPolicy,
    });
    for (const index of definition.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: index.projection === 'keys-only' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
      });
    }
    if (!definition.userData) {
      Validations.of(table).acknowledge({
          id: 'AwsSolutions-DDB3',
          reason: `No point-in-time recovery for the ${tableId} table: it holds short-lived security state that expires by TTL ` +
            '(lib/tables.ts userData: false); restoring an old copy would only resurrect revoked or expired entries.',
      });
    }
    new CfnOutput(this, tableNameOutput(tableId), { value: table.tableName, description: `Physical name of the ${tableId} table (${definition.envVar})` });
    return table;
  }
}
