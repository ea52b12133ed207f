// Reads the `dbprovision` section of app-config into the SDK's connection options.

import { readFileSync } from "node:fs";
import type { Config } from "@backstage/config";

/** Where the portal API is and how the scaffolder authenticates to it (app-config `dbprovision`). */
export interface DbProvisionSettings {
  /** "https://host:port" of the portal API. */
  endpoint: string;
  /** PEM CA certificate the endpoint's certificate is signed by; the system's CAs when absent. */
  ca?: string;
  /** Bearer token of the identity the scaffolder acts as. */
  token?: string;
  /** Deadline of one database request in milliseconds (default: the SDK's 5 minutes). */
  requestTimeoutMs?: number;
}

/**
 * The settings from app-config:
 *
 * ```yaml
 * dbprovision:
 *   endpoint: https://dbprovision.example.com:9443
 *   caFile: /etc/dbprovision/ca.crt     # or ca: | -----BEGIN CERTIFICATE----- ...
 *   token: ${DBPROVISION_TOKEN}
 *   requestTimeoutSeconds: 300
 * ```
 */
export function readDbProvisionSettings(config: Config): DbProvisionSettings {
  const section = config.getConfig("dbprovision");
  const endpoint = section.getString("endpoint");
  if (!endpoint.startsWith("https://")) {
    throw new Error("dbprovision.endpoint must be an https:// URL");
  }
  const settings: DbProvisionSettings = { endpoint };
  const ca = section.getOptionalString("ca");
  const caFile = section.getOptionalString("caFile");
  if (ca !== undefined && caFile !== undefined) {
    throw new Error("dbprovision: set either ca or caFile, not both");
  }
  if (ca !== undefined) {
    settings.ca = ca;
  } else if (caFile !== undefined) {
    try {
      settings.ca = readFileSync(caFile, "utf8");
    } catch (e) {
      throw new Error(`dbprovision.caFile: cannot read ${caFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const token = section.getOptionalString("token");
  if (token !== undefined && token !== "") {
    settings.token = token;
  }
  const timeoutSeconds = section.getOptionalNumber("requestTimeoutSeconds");
  if (timeoutSeconds !== undefined) {
    settings.requestTimeoutMs = timeoutSeconds * 1000;
  }
  return settings;
}
