// The facade: one object with an accessor per kind and the portal's high-level calls, over one HTTP/2 connection.

import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Calls, DEFAULT_RETRY, type CallOptions, type RetryPolicy } from "./calls.js";
import { loadConfigFile, type ConfigFileOptions, type ConnectionOptions } from "./config.js";
import { DbProvisionError, FailedPreconditionError } from "./errors.js";
import { DatabaseBackupSchema } from "./gen/dbops/v1alpha1/backup_pb.js";
import { DatabaseSchema } from "./gen/dbops/v1alpha1/database_pb.js";
import { ClusterDatabaseGrantSchema, DatabaseGrantSchema } from "./gen/dbops/v1alpha1/grant_pb.js";
import { ClusterDatabaseInstanceSchema, DatabaseInstanceSchema } from "./gen/dbops/v1alpha1/instance_pb.js";
import { DatabaseRestoreSchema } from "./gen/dbops/v1alpha1/restore_pb.js";
import { ClusterDatabaseRoleSchema, DatabaseRoleSchema } from "./gen/dbops/v1alpha1/role_pb.js";
import { DatabaseBackupScheduleSchema } from "./gen/dbops/v1alpha1/schedule_pb.js";
import { DatabaseUserSchema } from "./gen/dbops/v1alpha1/user_pb.js";
import {
  AccessProfile,
  PortalService,
  type Connection,
  type RequestDatabaseProgress,
  type RequestDatabaseRequestSchema,
} from "./gen/dbops/portal/v1alpha1/portal_pb.js";
import {
  ClusterDatabaseGrantsService,
  ClusterDatabaseInstancesService,
  ClusterDatabaseRolesService,
  DatabaseBackupSchedulesService,
  DatabaseBackupsService,
  DatabaseGrantsService,
  DatabaseInstancesService,
  DatabaseRestoresService,
  DatabaseRolesService,
  DatabasesService,
  DatabaseUsersService,
} from "./gen/dbops/portal/v1alpha1/resources_pb.js";
import { ClusterResources, NamespacedResources } from "./resources.js";

/** Everything a client can be given besides where to connect. */
export interface ClientSettings {
  /** Deadline of each unary call (default 30 s; 0: none). Watches have none; requestDatabase has its own. */
  timeoutMs?: number;
  /** Deadline of requestDatabase, from the call to the connection details (default 5 minutes; 0: none). */
  requestTimeoutMs?: number;
  /** Retries of UNAVAILABLE on get, list and getConnection. */
  retry?: Partial<RetryPolicy>;
  /** Extra interceptors, run after the one that adds the token. */
  interceptors?: Interceptor[];
}

export type ClientOptions = ConnectionOptions & ClientSettings;

/** What the application may do in its database. */
export type AccessProfileName = "owner" | "read-write" | "read-only";

/** RequestDatabase's input; `profile` may be the enum or its name in the Backstage/CLI spelling. */
export interface DatabaseRequest {
  /** The namespace the Database, DatabaseUser and DatabaseGrant are created in. */
  namespace: string;
  /** A DatabaseInstance in `namespace` by name, "namespaces/{ns}/databaseinstances/{name}" or "clusterdatabaseinstances/{name}". */
  instance: string;
  /** Name of the Database object (a DNS label); the database on the server gets it with '-' as '_'. */
  database: string;
  /** The database's name on the server, when it should differ. */
  databaseName?: string;
  /** What the application may do; default read-write. */
  profile?: AccessProfile | AccessProfileName;
  /** Name of the DatabaseUser object; default "{database}-{profile}". */
  user?: string;
  /** Labels set on every object created. */
  labels?: Record<string, string>;
}

export interface GetConnectionOptions extends CallOptions {
  /** Include the password (needs get on the user's Secret or on databaseusers/credentials). */
  includePassword?: boolean;
}

/**
 * A client of the portal API.
 *
 * ```ts
 * const client = DbProvisionClient.fromConfigFile();            // $DBPROVISION_CONFIG or ~/.dbprovision/config
 * const db = await client.databases.get("demo", "orders");
 * const connection = await client.requestDatabase({ namespace: "demo", instance: "pg", database: "orders" },
 *   (progress) => console.log(progress.message));
 * client.close();
 * ```
 */
export class DbProvisionClient {
  readonly databaseInstances: NamespacedResources<typeof DatabaseInstanceSchema>;
  readonly clusterDatabaseInstances: ClusterResources<typeof ClusterDatabaseInstanceSchema>;
  readonly databases: NamespacedResources<typeof DatabaseSchema>;
  readonly databaseUsers: NamespacedResources<typeof DatabaseUserSchema>;
  readonly databaseRoles: NamespacedResources<typeof DatabaseRoleSchema>;
  readonly clusterDatabaseRoles: ClusterResources<typeof ClusterDatabaseRoleSchema>;
  readonly databaseGrants: NamespacedResources<typeof DatabaseGrantSchema>;
  readonly clusterDatabaseGrants: ClusterResources<typeof ClusterDatabaseGrantSchema>;
  readonly databaseBackups: NamespacedResources<typeof DatabaseBackupSchema>;
  readonly databaseBackupSchedules: NamespacedResources<typeof DatabaseBackupScheduleSchema>;
  readonly databaseRestores: NamespacedResources<typeof DatabaseRestoreSchema>;
  /** The namespace the configuration's context names, or "". */
  readonly namespace: string;

  private readonly calls: Calls;
  private readonly sessions: Http2SessionManager;
  private readonly requestTimeoutMs: number;

  /** A client from explicit options. */
  constructor(options: ClientOptions) {
    const url = new URL(options.endpoint);
    if (url.protocol !== "https:") {
      throw new TypeError(`endpoint must be https://host:port, got protocol ${url.protocol}`);
    }
    const tls: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer } = {};
    if (options.ca !== undefined) tls.ca = options.ca;
    if (options.cert !== undefined) tls.cert = options.cert;
    if (options.key !== undefined) tls.key = options.key;
    const baseUrl = url.origin;
    this.sessions = new Http2SessionManager(baseUrl, {}, tls);
    const interceptors: Interceptor[] = [];
    if (options.token !== undefined && options.token !== "") {
      interceptors.push(bearerToken(options.token));
    }
    interceptors.push(...(options.interceptors ?? []));
    const transport = createGrpcTransport({ baseUrl, sessionManager: this.sessions, interceptors });
    this.calls = new Calls(transport, options.timeoutMs ?? 30_000, { ...DEFAULT_RETRY, ...options.retry });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
    this.namespace = options.namespace ?? "";

    this.databaseInstances = new NamespacedResources(this.calls, DatabaseInstancesService, DatabaseInstanceSchema);
    this.clusterDatabaseInstances = new ClusterResources(
      this.calls,
      ClusterDatabaseInstancesService,
      ClusterDatabaseInstanceSchema,
    );
    this.databases = new NamespacedResources(this.calls, DatabasesService, DatabaseSchema);
    this.databaseUsers = new NamespacedResources(this.calls, DatabaseUsersService, DatabaseUserSchema);
    this.databaseRoles = new NamespacedResources(this.calls, DatabaseRolesService, DatabaseRoleSchema);
    this.clusterDatabaseRoles = new ClusterResources(this.calls, ClusterDatabaseRolesService, ClusterDatabaseRoleSchema);
    this.databaseGrants = new NamespacedResources(this.calls, DatabaseGrantsService, DatabaseGrantSchema);
    this.clusterDatabaseGrants = new ClusterResources(
      this.calls,
      ClusterDatabaseGrantsService,
      ClusterDatabaseGrantSchema,
    );
    this.databaseBackups = new NamespacedResources(this.calls, DatabaseBackupsService, DatabaseBackupSchema);
    this.databaseBackupSchedules = new NamespacedResources(
      this.calls,
      DatabaseBackupSchedulesService,
      DatabaseBackupScheduleSchema,
    );
    this.databaseRestores = new NamespacedResources(this.calls, DatabaseRestoresService, DatabaseRestoreSchema);
  }

  /**
   * A client from a kubeconfig-format file such as the standalone server's <data-dir>/portal-kubeconfig: `path`
   * (default $DBPROVISION_CONFIG, else ~/.dbprovision/config) and `context` (default its current-context).
   */
  static fromConfigFile(file: ConfigFileOptions | string = {}, settings: ClientSettings = {}): DbProvisionClient {
    const fileOptions = typeof file === "string" ? { path: file } : file;
    return new DbProvisionClient({ ...loadConfigFile(fileOptions), ...settings });
  }

  /**
   * Gets an application a database: creates (or finds) the Database, DatabaseUser and DatabaseGrant, calls
   * `onProgress` with each change while they converge, and resolves to the connection details (without the
   * password: getConnection with includePassword reads it). Rejects with FailedPreconditionError when an object
   * Failed, DeadlineExceededError after requestTimeoutMs (the objects stay and go on converging).
   */
  async requestDatabase(
    request: DatabaseRequest,
    onProgress: (progress: RequestDatabaseProgress) => void = () => {},
    options: CallOptions = {},
  ): Promise<Connection> {
    const description = `request database ${request.namespace}/${request.database}`;
    for await (const progress of this.requestStream(request, false, options, description)) {
      onProgress(progress);
      if (progress.ready) {
        if (progress.connection === undefined) {
          throw new DbProvisionError(`${description}: the server reported ready without connection details`, noDetails);
        }
        return progress.connection;
      }
    }
    throw new FailedPreconditionError(`${description}: the server ended the stream before the database was ready`, {
      ...noDetails,
      grpcCode: 9,
    });
  }

  /**
   * RequestDatabase with validateOnly: nothing is stored; resolves to the objects that would be created and the
   * SQL the provisioner would run (progress.plan).
   */
  async planDatabase(request: DatabaseRequest, options: CallOptions = {}): Promise<RequestDatabaseProgress> {
    const description = `plan database ${request.namespace}/${request.database}`;
    for await (const progress of this.requestStream(request, true, options, description)) {
      return progress;
    }
    throw new DbProvisionError(`${description}: the server sent no plan`, noDetails);
  }

  /**
   * How to connect as the DatabaseUser `user` in `namespace`. The password only with includePassword, and only to
   * callers allowed to read it (PermissionDeniedError otherwise).
   */
  getConnection(namespace: string, user: string, options: GetConnectionOptions = {}): Promise<Connection> {
    const name = `namespaces/${namespace}/databaseusers/${user}`;
    return this.calls.unary(
      PortalService.method.getConnection,
      { name, includePassword: options.includePassword ?? false },
      `get connection ${name}`,
      { ...options, idempotent: true },
    );
  }

  /** Closes the connection; calls still running fail. */
  close(): void {
    this.sessions.abort();
  }

  private requestStream(
    request: DatabaseRequest,
    validateOnly: boolean,
    options: CallOptions,
    description: string,
  ): AsyncIterable<RequestDatabaseProgress> {
    const message: MessageInitShape<typeof RequestDatabaseRequestSchema> = {
      namespace: request.namespace,
      instance: request.instance,
      database: request.database,
      databaseName: request.databaseName ?? "",
      profile: accessProfile(request.profile),
      user: request.user ?? "",
      labels: request.labels ?? {},
      validateOnly,
    };
    return this.calls.serverStream(
      PortalService.method.requestDatabase,
      message,
      description,
      options,
      this.requestTimeoutMs,
    );
  }
}

const noDetails = { grpcCode: 2, reason: "", fieldViolations: [], preconditionViolations: [] };

function bearerToken(token: string): Interceptor {
  return (next) => async (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
}

/** The enum for a profile name; unknown names are the caller's mistake, reported before any call. */
export function accessProfile(profile: AccessProfile | AccessProfileName | undefined): AccessProfile {
  switch (profile) {
    case undefined:
      return AccessProfile.ACCESS_PROFILE_UNSPECIFIED;
    case "owner":
      return AccessProfile.OWNER;
    case "read-write":
      return AccessProfile.READ_WRITE;
    case "read-only":
      return AccessProfile.READ_ONLY;
    default:
      if (typeof profile === "number" && AccessProfile[profile] !== undefined) {
        return profile;
      }
      throw new TypeError(`profile must be owner, read-write or read-only, got ${JSON.stringify(profile)}`);
  }
}
