// Where to connect and how to authenticate: explicit options, or a kubeconfig-format file as the standalone server
// writes it (<data-dir>/portal-kubeconfig). Errors name the file and the missing piece, never a credential.

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";

/** How to reach the portal API. PEM values may be strings or Buffers. */
export interface ConnectionOptions {
  /** The portal API's base URL, "https://host:port". */
  endpoint: string;
  /** PEM CA certificate(s) to trust; the system's CAs when absent. */
  ca?: string | Buffer;
  /** A bearer token. */
  token?: string;
  /** PEM client certificate and its PEM private key, for client-certificate authentication. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The context's namespace, when the file names one; a default for calls that take a namespace. */
  namespace?: string;
}

/** Which file and context to read. */
export interface ConfigFileOptions {
  /** The file; default $DBPROVISION_CONFIG, else ~/.dbprovision/config. */
  path?: string;
  /** The context; default the file's current-context, else its only context. */
  context?: string;
}

/** The file a client reads when none is named: $DBPROVISION_CONFIG, else ~/.dbprovision/config. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["DBPROVISION_CONFIG"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(homedir(), ".dbprovision", "config");
}

/** Reads a kubeconfig-format file into connection options. */
export function loadConfigFile(options: ConfigFileOptions = {}): ConnectionOptions {
  const path = resolve(options.path ?? defaultConfigPath());
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (e) {
    throw new ConfigError(`${path} is not YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  return fromKubeconfig(document, path, options.context);
}

/** A configuration problem: a missing or malformed file, an unknown context. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Named<T> = { name?: unknown } & Record<string, unknown> & { [key: string]: T | unknown };

function fromKubeconfig(document: unknown, path: string, contextName: string | undefined): ConnectionOptions {
  const root = asRecord(document, `${path}: the file`);
  const contexts = asList(root["contexts"], `${path}: contexts`);
  const wanted = contextName ?? stringOr(root["current-context"], "");
  let contextEntry: Named<unknown> | undefined;
  if (wanted !== "") {
    contextEntry = contexts.find((c) => c.name === wanted);
    if (contextEntry === undefined) {
      throw new ConfigError(`${path}: no context named "${wanted}"`);
    }
  } else if (contexts.length === 1) {
    contextEntry = contexts[0];
  } else {
    throw new ConfigError(`${path}: no current-context; name one of ${contexts.length} contexts`);
  }
  const context = asRecord(contextEntry?.["context"], `${path}: context "${String(contextEntry?.name)}"`);
  const clusterName = stringOr(context["cluster"], "");
  const userName = stringOr(context["user"], "");
  const clusterEntry = asList(root["clusters"], `${path}: clusters`).find((c) => c.name === clusterName);
  if (clusterEntry === undefined) {
    throw new ConfigError(`${path}: no cluster named "${clusterName}"`);
  }
  const cluster = asRecord(clusterEntry["cluster"], `${path}: cluster "${clusterName}"`);
  const endpoint = stringOr(cluster["server"], "");
  if (endpoint === "") {
    throw new ConfigError(`${path}: cluster "${clusterName}" has no server`);
  }
  const base = dirname(path);
  const options: ConnectionOptions = { endpoint };
  const ca = pem(cluster, "certificate-authority", base, path);
  if (ca !== undefined) options.ca = ca;
  const namespace = stringOr(context["namespace"], "");
  if (namespace !== "") options.namespace = namespace;
  if (userName !== "") {
    const userEntry = asList(root["users"], `${path}: users`).find((u) => u.name === userName);
    if (userEntry === undefined) {
      throw new ConfigError(`${path}: no user named "${userName}"`);
    }
    const user = asRecord(userEntry["user"], `${path}: user "${userName}"`);
    const token = stringOr(user["token"], "");
    if (token !== "") {
      options.token = token;
    } else if (typeof user["tokenFile"] === "string") {
      options.token = readFileSync(relativeTo(base, user["tokenFile"]), "utf8").trim();
    }
    const cert = pem(user, "client-certificate", base, path);
    const key = pem(user, "client-key", base, path);
    if ((cert === undefined) !== (key === undefined)) {
      throw new ConfigError(`${path}: user "${userName}" needs both a client certificate and its key`);
    }
    if (cert !== undefined && key !== undefined) {
      options.cert = cert;
      options.key = key;
    }
  }
  return options;
}

// "<field>-data" holds base64 PEM; "<field>" names a file, relative to the config file's directory.
function pem(section: Record<string, unknown>, field: string, base: string, path: string): Buffer | undefined {
  const data = section[`${field}-data`];
  if (typeof data === "string" && data !== "") {
    return Buffer.from(data, "base64");
  }
  const file = section[field];
  if (typeof file === "string" && file !== "") {
    try {
      return readFileSync(relativeTo(base, file));
    } catch (e) {
      throw new ConfigError(`${path}: cannot read ${field} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return undefined;
}

function relativeTo(base: string, file: string): string {
  return isAbsolute(file) ? file : join(base, file);
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`${what} is not a mapping`);
  }
  return value as Record<string, unknown>;
}

function asList(value: unknown, what: string): Named<unknown>[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new ConfigError(`${what} is not a list`);
  }
  return value.map((entry) => asRecord(entry, what) as Named<unknown>);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
