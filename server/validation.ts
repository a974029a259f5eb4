import type { z } from 'zod';
import { HttpError } from './http-error.ts';

/** Parses input with a contract schema; failure is a 400 naming the first offending field. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : what;
  throw new HttpError(400, 'validation_failed', `${field}: ${issue?.message ?? 'invalid'}`);
}
