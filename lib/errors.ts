/**
 * The errors a function may throw on purpose. Each carries its HTTP status and the contract's error
 * code; lib/http.ts turns them into responses in one place. Anything else is a 500 with a generic
 * body, so no SDK message, table name or stack trace ever reaches a client.
 */

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: readonly ErrorDetail[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ApiError {
  constructor(message: string, details?: readonly ErrorDetail[]) {
    super(400, 'validation_error', message, details);
  }
}

export class MalformedJsonError extends ApiError {
  constructor() {
    super(400, 'malformed_json', 'The request body is not valid JSON');
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor() {
    super(415, 'unsupported_media_type', 'The request body must be sent with Content-Type: application/json');
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body must not exceed ${limitBytes} bytes`);
  }
}

export class InvalidCredentialsError extends ApiError {
  constructor() {
    super(401, 'invalid_credentials', 'The username or password is incorrect');
  }
}

export class InvalidTokenError extends ApiError {
  constructor() {
    super(401, 'invalid_token', 'The token is invalid, expired or revoked');
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'You are not allowed to do this') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class TooManyAttemptsError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(429, 'too_many_attempts', 'Too many failed login attempts; try again later', undefined, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
