import type { ErrorCode } from '../contract/api.ts';

/** An HTTP-level failure (validation, authentication): the error middleware renders it as JSON. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

export const unauthorized = () =>
  new HttpError(401, 'unauthorized', 'Missing, invalid or expired access token');
