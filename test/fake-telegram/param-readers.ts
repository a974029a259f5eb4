import { badRequest } from './api-error.ts';
import type { Params } from './types.ts';

/** Tolerant readers: JSON bodies carry numbers and objects, forms carry strings. */

export function optionalInteger(params: Params, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw badRequest(`invalid ${key} specified`);
}

export function requiredInteger(params: Params, key: string, missing = `${key} is empty`): number {
  const value = optionalInteger(params, key);
  if (value === undefined) throw badRequest(missing);
  return value;
}

export function optionalString(params: Params, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badRequest(`field "${key}" must be of type String`);
}

export function optionalBoolean(params: Params, key: string): boolean | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** An object parameter that forms send as a JSON string. */
export function optionalJson(params: Params, key: string, invalid: string): unknown {
  const value = params[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(invalid);
  }
}

/** `chat_id` as a number, or `@username` for public groups and channels. */
export function chatIdParam(params: Params, key = 'chat_id'): number | string {
  const value = params[key];
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  if (typeof value === 'string' && value.startsWith('@') && value.length > 1) return value;
  if (value === undefined || value === null || value === '') throw badRequest('chat_id is empty');
  throw badRequest('chat not found');
}
