import type { ResponseParameters } from 'grammy/types';

/** An error the fake answers as `{ ok: false, error_code, description, parameters? }`. */
export class ApiError extends Error {
  readonly errorCode: number;
  readonly description: string;
  readonly parameters: ResponseParameters | undefined;

  constructor(errorCode: number, description: string, parameters?: ResponseParameters) {
    super(description);
    this.errorCode = errorCode;
    this.description = description;
    this.parameters = parameters;
  }

  toJSON() {
    return {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
      ...(this.parameters ? { parameters: this.parameters } : {}),
    };
  }
}

export const badRequest = (reason: string) => new ApiError(400, `Bad Request: ${reason}`);
export const forbidden = (reason: string) => new ApiError(403, `Forbidden: ${reason}`);
export const conflict = (reason: string) => new ApiError(409, `Conflict: ${reason}`);
