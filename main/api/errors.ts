import type { ApiErrorCode } from '../../shared/api.js';

/** An error a transport turns into a response: a stable code and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** HTTP status for each code (the web transport). */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  bad_input: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  internal: 500,
};
