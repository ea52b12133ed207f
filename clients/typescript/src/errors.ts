// Typed errors: every failed call rejects with a DbProvisionError subclass chosen by the gRPC status code, carrying
// the google.rpc details the server sent (field violations, precondition failures, the ErrorInfo reason). Messages
// hold only what the server said and the call's name, never request data, tokens or passwords.

import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema, PreconditionFailureSchema } from "./gen/google/rpc/error_details_pb.js";

/** One invalid field of a request, as the server's google.rpc.BadRequest names it. */
export interface FieldViolation {
  /** The field's path, such as "database.metadata.name". */
  readonly field: string;
  readonly description: string;
  readonly reason: string;
}

/** One failed precondition, as the server's google.rpc.PreconditionFailure names it. */
export interface PreconditionViolation {
  /** Such as "ETAG" or "DEPENDENCY". */
  readonly type: string;
  /** What the precondition was about, such as "namespaces/demo/databases/orders". */
  readonly subject: string;
  readonly description: string;
}

/** The base of all errors this SDK throws for a failed call. */
export class DbProvisionError extends Error {
  /** The gRPC status code's name, such as "NOT_FOUND". */
  readonly code: string;
  /** The gRPC status code's number. */
  readonly grpcCode: number;
  /** The Kubernetes Status reason from google.rpc.ErrorInfo, such as "NotFound" or "Conflict"; "" when none came. */
  readonly reason: string;
  readonly fieldViolations: readonly FieldViolation[];
  readonly preconditionViolations: readonly PreconditionViolation[];

  constructor(message: string, details: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = codeName(details.grpcCode);
    this.grpcCode = details.grpcCode;
    this.reason = details.reason;
    this.fieldViolations = details.fieldViolations;
    this.preconditionViolations = details.preconditionViolations;
  }
}

/** NOT_FOUND: the object (or its namespace) does not exist. */
export class NotFoundError extends DbProvisionError {}
/** ALREADY_EXISTS: an object of that name exists. */
export class AlreadyExistsError extends DbProvisionError {}
/** INVALID_ARGUMENT: the request or object is invalid; fieldViolations says where. */
export class InvalidError extends DbProvisionError {}
/** ABORTED: the object changed since the etag (resource version) the write named; read it again and retry. */
export class ConflictError extends DbProvisionError {}
/** PERMISSION_DENIED: the caller is authenticated but not allowed; the message names the missing permission. */
export class PermissionDeniedError extends DbProvisionError {}
/** UNAUTHENTICATED: no valid token or client certificate. */
export class UnauthenticatedError extends DbProvisionError {}
/** UNAVAILABLE: the server could not be reached or is shutting down; idempotent calls were retried first. */
export class UnavailableError extends DbProvisionError {}
/** DEADLINE_EXCEEDED: the call's deadline (timeoutMs) passed. Objects a write created stay and go on converging. */
export class DeadlineExceededError extends DbProvisionError {}
/** FAILED_PRECONDITION: the system is not in a state for the call, or an object has Failed; see the violations. */
export class FailedPreconditionError extends DbProvisionError {}

/** What an error carries besides its message. */
export interface ErrorDetails {
  grpcCode: number;
  reason: string;
  fieldViolations: FieldViolation[];
  preconditionViolations: PreconditionViolation[];
}

const CLASSES: Partial<Record<Code, new (message: string, details: ErrorDetails, options?: { cause?: unknown }) => DbProvisionError>> = {
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.InvalidArgument]: InvalidError,
  [Code.Aborted]: ConflictError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.Unauthenticated]: UnauthenticatedError,
  [Code.Unavailable]: UnavailableError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
  [Code.FailedPrecondition]: FailedPreconditionError,
};

/**
 * The typed error for anything a call threw. `call` names the operation ("get namespaces/demo/databases/orders")
 * for the message; it must not contain secrets.
 */
export function toDbProvisionError(thrown: unknown, call: string): DbProvisionError {
  if (thrown instanceof DbProvisionError) {
    return thrown;
  }
  const error = ConnectError.from(thrown);
  const details: ErrorDetails = {
    grpcCode: error.code,
    reason: safely(() => error.findDetails(ErrorInfoSchema)[0]?.reason) ?? "",
    fieldViolations:
      safely(() =>
        error.findDetails(BadRequestSchema).flatMap((badRequest) =>
          badRequest.fieldViolations.map((v) => ({ field: v.field, description: v.description, reason: v.reason })),
        ),
      ) ?? [],
    preconditionViolations:
      safely(() =>
        error.findDetails(PreconditionFailureSchema).flatMap((failure) =>
          failure.violations.map((v) => ({ type: v.type, subject: v.subject, description: v.description })),
        ),
      ) ?? [],
  };
  const serverMessage = error.rawMessage || codeName(error.code).toLowerCase();
  let message = `${call}: ${serverMessage}`;
  if (details.fieldViolations.length > 0) {
    message += ` (${details.fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; ")})`;
  }
  const ErrorClass = CLASSES[error.code] ?? DbProvisionError;
  return new ErrorClass(message, details, { cause: error });
}

/** "NOT_FOUND" for Code.NotFound: the names gRPC documents, which is what people search for. */
export function codeName(code: number): string {
  if (code === Code.Canceled) {
    return "CANCELLED";
  }
  const name = Code[code];
  return name === undefined ? `CODE_${code}` : name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

// A detail that fails to decode must not hide the error it came with.
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
