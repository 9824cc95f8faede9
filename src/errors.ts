/** A failure the user can act on: printed as one line, never with a stack trace. */
export class UserError extends Error {
  /** 1 = runtime failure, 2 = bad usage or bad input (CONTRACTS section 1). */
  readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** Bad usage or unreadable input: exit code 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
