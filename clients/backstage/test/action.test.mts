// The action as the scaffolder runs it — a context from @backstage/plugin-scaffolder-node-test-utils — against the
// real standalone server (API server, provisioner) and the machine's PostgreSQL; and the module's app-config reading.
// Runs under Jest in ESM mode (see jest.config.cjs): the SDK the action loads is an ES module.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { mockServices } from "@backstage/backend-test-utils";
import { ConfigReader } from "@backstage/config";
import { createMockActionContext } from "@backstage/plugin-scaffolder-node-test-utils";
import backstageModule from "../src/index.js";
import { DbProvisionClient } from "@dbprovision/client";
import { TestServer } from "../../typescript/test/support/server.mjs";

const { ACTION_ID, createDatabaseRequestAction, readDbProvisionSettings } = backstageModule as unknown as typeof import("../src/index.js");

// Starting the server's JVM and a database converging take seconds each on a busy machine.
const SERVER_MS = 180_000;

const run = randomBytes(3).toString("hex");
const ns = `tssdk-bs-${run}`;
const name = `tssdk-svc-${run}`;

let server: TestServer;
/** The database user the action reported, to drop it should the server's cleanup not get to it. */
let userOutput: unknown;

beforeAll(async () => {
  server = await TestServer.start();
  await server.createSecret(ns, "pg-admin", { username: "postgres", password: "unused-with-trust" });
  // The instance through the REST API: the action is what is under test here, not the SDK.
  await server.rest("POST", `/apis/dbops.dbprovision.io/v1alpha1/namespaces/${ns}/databaseinstances`, {
    apiVersion: "dbops.dbprovision.io/v1alpha1",
    kind: "DatabaseInstance",
    metadata: { name: "pg", namespace: ns },
    spec: {
      engine: "postgres",
      connection: { host: "127.0.0.1", port: 5432, database: "postgres", secretRef: { name: "pg-admin" } },
      deletionProtection: false,
    },
  });
}, SERVER_MS);

afterAll(async () => {
  if (server === undefined) return;
  // Leave nothing on the shared PostgreSQL: grants, users, then the Database (protected from deletion by default).
  const client = DbProvisionClient.fromConfigFile(server.portalKubeconfig);
  try {
    const unprotected = (objectName: string) => ({
      metadata: { name: objectName, namespace: ns },
      spec: { deletionProtection: false },
    });
    for await (const grant of client.databaseGrants.list(ns)) {
      const grantName = grant.metadata?.name ?? "";
      await client.databaseGrants.update(unprotected(grantName), ["spec.deletionProtection"]).catch(() => {});
      await client.databaseGrants.delete(ns, grantName).catch(() => {});
    }
    for await (const user of client.databaseUsers.list(ns)) {
      await client.databaseUsers.delete(ns, user.metadata?.name ?? "").catch(() => {});
    }
    await client.databases.update(unprotected(name), ["spec.deletionProtection"]).catch(() => {});
    await client.databases.delete(ns, name).catch(() => {});
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await client.databases.listPage(ns)).items.length > 0) {
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.close();
  }
  const db = `${ns}_${name}`.replaceAll("-", "_");
  spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`]);
  if (typeof userOutput === "string") {
    spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP ROLE IF EXISTS "${userOutput}"`]);
  }
  await server.stop();
}, SERVER_MS);

/** Every message logged through `logger`, a mock LoggerService, as "level: message". */
function logged(logger: ReturnType<typeof mockServices.logger.mock>): string[] {
  return (["error", "warn", "info", "debug"] as const).flatMap((level) =>
    jest.mocked(logger[level]).mock.calls.map((call: unknown[]) => `${level}: ${String(call[0])}`),
  );
}

describe(ACTION_ID, () => {
  it(
    "requests a database, logs progress and outputs the connection details",
    async () => {
      const action = createDatabaseRequestAction(
        readDbProvisionSettings(
          new ConfigReader({
            dbprovision: { endpoint: server.portalEndpoint, ca: server.ca.toString(), token: server.adminToken },
          }),
        ),
      );
      expect(action.id).toBe("dbprovision:database:request");
      const logger = mockServices.logger.mock();
      const ctx = createMockActionContext({
        input: { instance: "pg", namespace: ns, name, profile: "read-write" as const },
        logger,
      });

      await action.handler(ctx);

      const outputs = Object.fromEntries(jest.mocked(ctx.output).mock.calls);
      userOutput = outputs["user"];
      expect(Object.keys(outputs).sort()).toEqual([
        "database",
        "host",
        "passwordKey",
        "port",
        "secretName",
        "secretNamespace",
        "tlsMode",
        "user",
      ]);
      expect(outputs["host"]).toBe("127.0.0.1");
      expect(outputs["port"]).toBe(5432);
      // on the server: {namespace}_{name}, "-" as "_" (many namespaces share a server)
      expect(outputs["database"]).toBe(`${ns}_${name}`.replaceAll("-", "_"));
      expect(outputs["secretNamespace"]).toBe(ns);
      expect(outputs["user"]).toEqual(expect.any(String));
      expect(outputs["secretName"]).toEqual(expect.any(String));

      const logs = logged(logger);
      expect(logs.length).toBeGreaterThanOrEqual(3);
      expect(logs.some((l) => l.includes("ready"))).toBe(true);
      expect(logs.filter((l) => l.includes(server.adminToken))).toEqual([]);
    },
    SERVER_MS,
  );

  it("fails with the server's reason for an invalid request, naming no credential", async () => {
    const action = createDatabaseRequestAction({
      endpoint: server.portalEndpoint,
      ca: server.ca.toString(),
      token: server.adminToken,
      requestTimeoutMs: 5_000,
    });
    const ctx = createMockActionContext({ input: { instance: "no-such-instance", namespace: ns, name: "Bad_Name" } });

    const failure = await action.handler(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/dbprovision:database:request failed \(INVALID_ARGUMENT\)/);
    expect(message).not.toContain(server.adminToken);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});

describe("app-config", () => {
  it("reads endpoint, caFile and token", () => {
    const caFile = `${server.dataDir}/pki/ca.crt`;
    const settings = readDbProvisionSettings(
      new ConfigReader({ dbprovision: { endpoint: "https://db.example:9443", caFile, token: "t", requestTimeoutSeconds: 60 } }),
    );
    expect(settings).toEqual({
      endpoint: "https://db.example:9443",
      ca: server.ca.toString(),
      token: "t",
      requestTimeoutMs: 60_000,
    });
  });

  it("refuses a plain-text endpoint and a ca given twice", () => {
    expect(() => readDbProvisionSettings(new ConfigReader({ dbprovision: { endpoint: "http://x" } }))).toThrow(/https/);
    const file = `${server.dataDir}/ca-copy.crt`;
    writeFileSync(file, server.ca);
    expect(() =>
      readDbProvisionSettings(new ConfigReader({ dbprovision: { endpoint: "https://x", ca: "x", caFile: file } })),
    ).toThrow(/either ca or caFile/);
  });
});
