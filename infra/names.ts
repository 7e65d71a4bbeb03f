import type { TableId } from '#lib/tables';

/** `auth/login` → `AuthLogin`, `loginAttempts` → `LoginAttempts`: logical IDs and output names. */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The data stack's output holding a table's physical name (read back by `npm run admin -- --stack`). */
export function tableNameOutput(tableId: TableId): string {
  return `${pascalCase(tableId)}TableName`;
}
