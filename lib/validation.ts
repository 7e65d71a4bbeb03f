import type * as z from 'zod/mini';
import { ValidationError, type ErrorDetail } from '#lib/errors';

/**
 * Turns a schema's verdict on untrusted input into a 400 that lists every problem by field. zod's
 * issues carry no English text in its mini build, so `describeIssue` writes the messages clients see.
 * Only zod's types are imported here: functions without a body schema do not bundle zod at all.
 */

export type Schema = z.ZodMiniType;

function describeIssue(issue: z.core.$ZodIssue): ErrorDetail[] {
  const path = issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'is not an allowed field' }));
    case 'invalid_type':
      return [
        {
          path,
          message:
            issue.input === undefined
              ? 'is required'
              : `must be ${issue.expected === 'object' ? 'a JSON object' : `a ${issue.expected}`}`,
        },
      ];
    case 'too_small':
      return [{ path, message: `must be at least ${String(issue.minimum)}` }];
    case 'too_big':
      return [{ path, message: `must be at most ${String(issue.maximum)}` }];
    default:
      return [{ path, message: issue.message === 'Invalid input' ? 'is invalid' : issue.message }];
  }
}

/** Parses untrusted input or throws a 400 that lists every problem by field. */
export function parseOrThrow<S extends Schema>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<S>;
  const details = result.error.issues.flatMap(describeIssue);
  throw new ValidationError(`The ${what} is invalid`, details);
}
