import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRouteTable, withRouteTable } from '#infra/docs';
import { listRoutes } from '#lib/routes';

describe('README route table', () => {
  it('is the one generated from lib/routes.ts (run `npm run docs` after changing a route)', () => {
    const readme = readFileSync('README.md', 'utf8');

    expect(withRouteTable(readme)).toBe(readme);
    for (const route of listRoutes()) expect(renderRouteTable()).toContain(`\`${route.method} ${route.path}\``);
  });
});
