// @dbprovision/client: the TypeScript SDK of the DB Provision portal gRPC API.

export { DbProvisionClient, accessProfile } from "./client.js";
export type { AccessProfileName, ClientOptions, ClientSettings, DatabaseRequest, GetConnectionOptions } from "./client.js";
export { ConfigError, defaultConfigPath, loadConfigFile } from "./config.js";
export type { ConfigFileOptions, ConnectionOptions } from "./config.js";
export type { CallOptions, RetryPolicy } from "./calls.js";
export {
  AlreadyExistsError,
  ConflictError,
  DbProvisionError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from "./errors.js";
export type { FieldViolation, PreconditionViolation } from "./errors.js";
export { ClusterResources, NamespacedResources } from "./resources.js";
export type {
  DeleteOptions,
  ListOptions,
  ListPageOptions,
  Page,
  Plan,
  SelectorOptions,
  UpdateMask,
  WatchEvent,
  WatchEventType,
  WatchOptions,
} from "./resources.js";

// The generated messages, for their types and for building objects with create(Schema, {...}).
export * from "./gen/dbops/portal/v1alpha1/portal_pb.js";
export * from "./gen/dbops/v1alpha1/backup_pb.js";
export * from "./gen/dbops/v1alpha1/common_pb.js";
export * from "./gen/dbops/v1alpha1/database_pb.js";
export * from "./gen/dbops/v1alpha1/grant_pb.js";
export * from "./gen/dbops/v1alpha1/instance_pb.js";
export * from "./gen/dbops/v1alpha1/meta_pb.js";
export * from "./gen/dbops/v1alpha1/privileges_pb.js";
export * from "./gen/dbops/v1alpha1/restore_pb.js";
export * from "./gen/dbops/v1alpha1/role_pb.js";
export * from "./gen/dbops/v1alpha1/schedule_pb.js";
export * from "./gen/dbops/v1alpha1/storage_pb.js";
export * from "./gen/dbops/v1alpha1/user_pb.js";
export type { PlannedStatement } from "./gen/dbops/engine/v1alpha1/engine_pb.js";
