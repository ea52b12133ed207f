// The action's handler with a minimal hand-made context (logger, input, output collector) against the real standalone
// server and PostgreSQL, and the module's app-config reading.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ConfigReader } from "@backstage/config";
import backstageModule from "../src/index.js";
import { DbProvisionClient } from "@dbprovision/client";
import { TestServer } from "../../typescript/test/support/server.mjs";

const { ACTION_ID, createDatabaseRequestAction, readDbProvisionSettings } = backstageModule as unknown as typeof import("../src/index.js");

const run = randomBytes(3).toString("hex");
const ns = `tssdk-bs-${run}`;
const name = `tssdk-svc-${run}`;

let server: TestServer;
/** The database user the action reported, to drop it should the server's cleanup not get to it. */
let userOutput: unknown;

before(async () => {
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
});

after(async () => {
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
  const db = name.replaceAll("-", "_");
  spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`]);
  if (typeof userOutput === "string") {
    spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP ROLE IF EXISTS "${userOutput}"`]);
  }
  await server.stop();
});

/** What the scaffolder hands an action, reduced to what this action uses; records logs and outputs. */
function context(input: Record<string, unknown>) {
  const logs: string[] = [];
  const outputs: Record<string, unknown> = {};
  const record = (level: string) => (message: string) => logs.push(`${level}: ${message}`);
  const logger = {
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    debug: record("debug"),
    child: () => logger,
  };
  return {
    logs,
    outputs,
    ctx: {
      input,
      logger,
      output: (key: string, value: unknown) => {
        outputs[key] = value;
      },
      workspacePath: "/nonexistent",
      task: { id: `tssdk-${run}` },
      checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
      createTemporaryDirectory: async () => {
        throw new Error("not used");
      },
      getInitiatorCredentials: async () => {
        throw new Error("not used");
      },
    },
  };
}

describe(ACTION_ID, () => {
  it("requests a database, logs progress and outputs the connection details", async () => {
    const action = createDatabaseRequestAction(
      readDbProvisionSettings(
        new ConfigReader({
          dbprovision: { endpoint: server.portalEndpoint, ca: server.ca.toString(), token: server.adminToken },
        }),
      ),
    );
    assert.equal(action.id, "dbprovision:database:request");
    const { ctx, logs, outputs } = context({ instance: "pg", namespace: ns, name, profile: "read-write" });
    await action.handler(ctx as never);
    userOutput = outputs["user"];

    assert.deepEqual(Object.keys(outputs).sort(), [
      "database",
      "host",
      "passwordKey",
      "port",
      "secretName",
      "secretNamespace",
      "tlsMode",
      "user",
    ]);
    assert.equal(outputs["host"], "127.0.0.1");
    assert.equal(outputs["port"], 5432);
    // on the server: {namespace}_{name}, "-" as "_" (many namespaces share a server)
    assert.equal(outputs["database"], `${ns}_${name}`.replaceAll("-", "_"));
    assert.equal(outputs["secretNamespace"], ns);
    assert.ok(logs.length >= 3, logs.join("\n"));
    assert.ok(
      logs.some((l) => l.includes("ready")),
      logs.join("\n"),
    );
    assert.ok(!logs.some((l) => l.includes(server.adminToken)), "no token in the log");
  });

  it("fails with the server's reason for an instance that does not exist", async () => {
    const action = createDatabaseRequestAction({
      endpoint: server.portalEndpoint,
      ca: server.ca.toString(),
      token: server.adminToken,
      requestTimeoutMs: 5_000,
    });
    const { ctx } = context({ instance: "no-such-instance", namespace: ns, name: "Bad_Name" });
    await assert.rejects(action.handler(ctx as never), (e: Error) => {
      assert.match(e.message, /dbprovision:database:request failed \(INVALID_ARGUMENT\)/);
      assert.doesNotMatch(e.message, new RegExp(server.adminToken));
      return true;
    });
  });
});

describe("app-config", () => {
  it("reads endpoint, caFile and token", () => {
    const caFile = `${server.dataDir}/pki/ca.crt`;
    const settings = readDbProvisionSettings(
      new ConfigReader({ dbprovision: { endpoint: "https://db.example:9443", caFile, token: "t", requestTimeoutSeconds: 60 } }),
    );
    assert.equal(settings.endpoint, "https://db.example:9443");
    assert.equal(settings.ca, server.ca.toString());
    assert.equal(settings.token, "t");
    assert.equal(settings.requestTimeoutMs, 60_000);
  });

  it("refuses a plain-text endpoint and a ca given twice", () => {
    assert.throws(() => readDbProvisionSettings(new ConfigReader({ dbprovision: { endpoint: "http://x" } })), /https/);
    const file = `${server.dataDir}/ca-copy.crt`;
    writeFileSync(file, server.ca);
    assert.throws(
      () => readDbProvisionSettings(new ConfigReader({ dbprovision: { endpoint: "https://x", ca: "x", caFile: file } })),
      /either ca or caFile/,
    );
  });
});
