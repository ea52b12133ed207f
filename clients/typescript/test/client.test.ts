// The SDK against the real standalone server (started here from the build's jar) and the real PostgreSQL at
// 127.0.0.1:5432: standard methods, pages, watch, every error class, deadlines, and RequestDatabase end to end.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  AlreadyExistsError,
  ConflictError,
  DbProvisionClient,
  DbProvisionError,
  DeadlineExceededError,
  EngineType,
  FailedPreconditionError,
  InvalidError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
  type Connection,
  type Database,
  type DatabaseGrantSchema,
  type DatabaseSchema,
  type NamespacedResources,
  type RequestDatabaseProgress,
  type WatchEvent,
} from "../src/index.js";
import { freePort, TestServer } from "./support/server.mjs";

// Unique per run: parallel runs of other helpers share the PostgreSQL server.
const run = randomBytes(3).toString("hex");
const ns = `tssdk-${run}`;
const nobodyToken = `tssdk-nobody-${randomBytes(16).toString("hex")}`;
const creatorToken = `tssdk-creator-${randomBytes(16).toString("hex")}`;

let server: TestServer;
let client: DbProvisionClient;

const t0 = Date.now();
const mark = (what: string) => process.env["TSSDK_TIMING"] && console.error(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);

before(async () => {
  mark("starting the server");
  server = await TestServer.start({
    users: [
      { token: nobodyToken, name: "tssdk-nobody" },
      { token: creatorToken, name: "tssdk-creator" },
    ],
  });
  client = DbProvisionClient.fromConfigFile(server.portalKubeconfig);
  mark("server up");
});

after(async () => {
  mark("stopping the server");
  client?.close();
  await server?.stop();
  mark("stopped");
});

/** A Database that points at an instance that does not exist: it is stored and stays pending, touching no server. */
function pendingDatabase(name: string, namespace = ns, labels: Record<string, string> = {}) {
  return {
    metadata: { name, namespace, labels },
    spec: { instanceRef: { name: "no-such-instance" }, deletionProtection: false },
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("standard methods", () => {
  it("creates, gets, updates with a mask and deletes a Database", async () => {
    const created = await client.databases.create(pendingDatabase("crud", ns, { team: "a" }));
    assert.equal(created.metadata?.name, "crud");
    assert.notEqual(created.metadata?.resourceVersion, "");

    const got = await client.databases.get(ns, "crud");
    assert.equal(got.metadata?.uid, created.metadata?.uid);
    assert.equal(got.spec?.instanceRef?.name, "no-such-instance");

    const updated = await client.databases.update(
      { metadata: { name: "crud", namespace: ns, labels: { team: "b" } } },
      ["metadata.labels"],
    );
    assert.equal(updated.metadata?.labels["team"], "b");
    assert.equal(updated.spec?.instanceRef?.name, "no-such-instance", "fields outside the mask stay");

    // Its finalizer waits for the instance, which does not exist: the object stays, marked for deletion.
    const deleting = await client.databases.delete(ns, "crud");
    assert.ok(deleting.metadata?.deletionTimestamp, "deletion requested");
    assert.ok((await client.databases.get(ns, "crud")).metadata?.deletionTimestamp);
  });

  it("lists every object over several pages, and one page with its resource version", async () => {
    const listNs = `${ns}-list`;
    for (let i = 0; i < 5; i++) {
      await client.databases.create(pendingDatabase(`page-${i}`, listNs, { tssdk: run }));
    }
    const all = await collect(client.databases.list(listNs, { pageSize: 2 }));
    assert.deepEqual(
      all.map((d) => d.metadata?.name),
      ["page-0", "page-1", "page-2", "page-3", "page-4"],
    );
    const first = await client.databases.listPage(listNs, { pageSize: 2 });
    assert.equal(first.items.length, 2);
    assert.notEqual(first.nextPageToken, "");
    assert.notEqual(first.resourceVersion, "");
    const selected = await collect(client.databases.list("", { labelSelector: `tssdk=${run}`, fieldSelector: "metadata.name=page-3" }));
    assert.deepEqual(
      selected.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`),
      [`${listNs}/page-3`],
    );
  });

  it("watches ADDED and MODIFIED changes, and the deletion, until the signal aborts", async () => {
    const watchNs = `${ns}-watch`;
    const start = await client.databases.listPage(watchNs);
    const abort = new AbortController();
    const events: WatchEvent<Database>[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      (async () => {
        for await (const event of client.databases.watch(watchNs, { resourceVersion: start.resourceVersion, signal: abort.signal })) {
          if (event.type === "BOOKMARK") continue;
          events.push(event);
          if (event.type === "DELETED" || event.object.metadata?.deletionTimestamp !== undefined) resolve();
        }
        resolve();
      })().catch(reject);
    });
    await client.databases.create(pendingDatabase("watched", watchNs));
    await client.databases.update({ metadata: { name: "watched", namespace: watchNs, labels: { step: "2" } } }, ["metadata.labels"]);
    await client.databases.delete(watchNs, "watched");
    await withTimeout(seen, 30_000, "no event for the deletion");
    abort.abort();
    const types = events.map((e) => e.type);
    assert.equal(types[0], "ADDED");
    assert.equal(events[0]?.object.metadata?.name, "watched");
    assert.ok(
      events.some((e) => e.type === "MODIFIED" && e.object.metadata?.labels["step"] === "2"),
      `events: ${types.join(",")}`,
    );
  });

  it("ends a watch quietly when the caller aborts", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const events = await collect(client.databases.watch(`${ns}-quiet`, { signal: abort.signal }));
    assert.deepEqual(
      events.filter((e) => e.type !== "BOOKMARK"),
      [],
    );
  });

  it("serves cluster-scoped kinds by name", async () => {
    await assert.rejects(client.clusterDatabaseInstances.get(`tssdk-${run}-none`), NotFoundError);
    const page = await client.clusterDatabaseInstances.listPage({ pageSize: 1 });
    assert.ok(Array.isArray(page.items));
  });
});

describe("errors", () => {
  it("NotFoundError for a missing object, with the server's reason", async () => {
    const error = await rejection(client.databases.get(ns, "does-not-exist"));
    assert.ok(error instanceof NotFoundError);
    assert.ok(error instanceof DbProvisionError);
    assert.equal(error.code, "NOT_FOUND");
    assert.match(error.message, /does-not-exist/);
  });

  it("AlreadyExistsError for a taken name", async () => {
    await client.databases.create(pendingDatabase("twice"));
    await assert.rejects(client.databases.create(pendingDatabase("twice")), AlreadyExistsError);
  });

  it("InvalidError with field violations for an invalid object", async () => {
    const error = await rejection(client.databases.create(pendingDatabase("Not_A_DNS_Label")));
    assert.ok(error instanceof InvalidError, String(error));
    assert.equal(error.code, "INVALID_ARGUMENT");
    assert.ok(error.fieldViolations.length > 0, "field violations decoded from google.rpc.BadRequest");
    assert.ok(
      error.fieldViolations.some((v) => /name/.test(v.field)),
      JSON.stringify(error.fieldViolations),
    );
  });

  it("ConflictError for an update against a stale etag", async () => {
    const created = await client.databases.create(pendingDatabase("etag"));
    await client.databases.update({ metadata: { name: "etag", namespace: ns, labels: { v: "1" } } }, ["metadata.labels"]);
    const stale = { metadata: { name: "etag", namespace: ns, labels: { v: "2" }, resourceVersion: created.metadata?.resourceVersion ?? "" } };
    await assert.rejects(client.databases.update(stale, ["metadata.labels"]), ConflictError);
  });

  it("PermissionDeniedError naming what is missing, for a caller without rights", async () => {
    const nobody = new DbProvisionClient({ endpoint: server.portalEndpoint, ca: server.ca, token: nobodyToken });
    try {
      const error = await rejection(nobody.databases.get(ns, "twice"));
      assert.ok(error instanceof PermissionDeniedError, String(error));
      assert.match(error.message, /databases/);
      assert.doesNotMatch(error.message, new RegExp(nobodyToken));
    } finally {
      nobody.close();
    }
  });

  it("UnauthenticatedError for an unknown token, without the token in the message", async () => {
    const secret = `tssdk-bogus-${randomBytes(8).toString("hex")}`;
    const stranger = new DbProvisionClient({ endpoint: server.portalEndpoint, ca: server.ca, token: secret });
    try {
      const error = await rejection(stranger.databases.get(ns, "twice"));
      assert.ok(error instanceof UnauthenticatedError, String(error));
      assert.doesNotMatch(error.message, new RegExp(secret));
      assert.doesNotMatch(JSON.stringify(error), new RegExp(secret));
    } finally {
      stranger.close();
    }
  });

  it("UnavailableError after retrying idempotent calls with backoff; writes are not retried", async () => {
    let attempts = 0;
    const counting = new DbProvisionClient({
      endpoint: `https://127.0.0.1:${await freePort()}`,
      ca: server.ca,
      retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 },
      interceptors: [
        (next) => async (req) => {
          attempts++;
          return next(req);
        },
      ],
    });
    try {
      await assert.rejects(counting.databases.get(ns, "x"), UnavailableError);
      assert.equal(attempts, 3);
      attempts = 0;
      await assert.rejects(counting.databases.create(pendingDatabase("x")), UnavailableError);
      assert.equal(attempts, 1);
    } finally {
      counting.close();
    }
  });

  it("FailedPreconditionError for the connection of a user whose instance does not exist", async () => {
    await client.databaseUsers.create({
      metadata: { name: "pending-user", namespace: ns },
      spec: { instanceRef: { name: "no-such-instance" }, username: "tssdk_pending" },
    });
    const error = await rejection(client.getConnection(ns, "pending-user"));
    assert.ok(error instanceof FailedPreconditionError, String(error));
    assert.match(error.message, /no-such-instance/);
  });

  it("DeadlineExceededError when a call outlives its deadline", async () => {
    const events = client.databases.watch(`${ns}-deadline`, { timeoutMs: 500 });
    await assert.rejects(collect(events), DeadlineExceededError);
  });
});

describe("requestDatabase on the real PostgreSQL", () => {
  const pgNs = `${ns}-pg`;
  const database = `tssdk-orders-${run}`;
  let connection: Connection | undefined;

  before(async () => {
    await server.createSecret(pgNs, "pg-admin", { username: "postgres", password: "unused-with-trust" });
    await client.databaseInstances.create({
      metadata: { name: "pg", namespace: pgNs },
      spec: {
        engine: EngineType.POSTGRES,
        connection: { host: "127.0.0.1", port: 5432, database: "postgres", secretRef: { name: "pg-admin" } },
        deletionProtection: false,
      },
    });
  });

  after(async () => {
    mark("cleaning up PostgreSQL objects");
    // Leave nothing on the shared server, also when a test failed half-way. What RequestDatabase creates is
    // protected from deletion, as every Database and grant is by default: unprotect, then delete.
    for (const grant of await collect(client.databaseGrants.list(pgNs))) {
      await unprotectAndDelete(client.databaseGrants, pgNs, grant.metadata?.name ?? "");
    }
    for (const user of await collect(client.databaseUsers.list(pgNs))) {
      await client.databaseUsers.delete(pgNs, user.metadata?.name ?? "").catch((e) => mark(`cleanup: ${e}`));
    }
    await unprotectAndDelete(client.databases, pgNs, database);
    await eventually(async () => {
      assert.equal((await collect(client.databaseUsers.list(pgNs))).length, 0);
      assert.equal((await collect(client.databases.list(pgNs))).length, 0);
    }, 60_000).catch(async () => {
      const left = [...(await collect(client.databaseUsers.list(pgNs))), ...(await collect(client.databases.list(pgNs)))];
      mark(`left: ${left.map((o) => `${o.metadata?.name} finalizers=${o.metadata?.finalizers} status=${JSON.stringify(o.status, (_, v) => (typeof v === "bigint" ? String(v) : v))}`).join("\n")}`);
    });
    mark("cleaned up");
    if (connection !== undefined) {
      psql(`DROP DATABASE IF EXISTS "${connection.database}" WITH (FORCE)`);
      psql(`DROP ROLE IF EXISTS "${connection.user}"`);
    }
  });

  it("streams progress and ends with connection details", async () => {
    const progress: RequestDatabaseProgress[] = [];
    connection = await client.requestDatabase({ namespace: pgNs, instance: "pg", database, profile: "owner" }, (p) =>
      progress.push(p),
    );
    assert.ok(progress.length >= 2, `progress: ${progress.map((p) => p.message).join(" | ")}`);
    assert.ok(progress.every((p) => p.message !== ""));
    assert.equal(connection.host, "127.0.0.1");
    assert.equal(connection.port, 5432);
    // on the server: {namespace}_{database}, "-" as "_" (many namespaces share a server)
    assert.equal(connection.database, `${pgNs}_${database}`.replaceAll("-", "_"));
    assert.equal(connection.engine, "postgres");
    assert.equal(connection.password, "", "no password in RequestDatabase's answer");
    assert.notEqual(connection.secretName, "");
  });

  it("getConnection gives the password to a caller allowed to read it, and it logs in", async () => {
    assert.ok(connection, "requestDatabase ran first");
    const withPassword = await client.getConnection(pgNs, userName(), { includePassword: true });
    assert.notEqual(withPassword.password, "");
    const login = psql("select current_user", {
      user: withPassword.user,
      database: withPassword.database,
      password: withPassword.password,
    });
    assert.equal(login.trim(), withPassword.user);
  });

  it("answers without the password, or PermissionDeniedError, to a caller who may create but not read Secrets", async () => {
    assert.ok(connection, "requestDatabase ran first");
    await server.grant(pgNs, "tssdk-creator", [
      {
        apiGroups: ["dbops.dbprovision.io"],
        resources: ["databases", "databaseusers", "databasegrants"],
        verbs: ["get", "list", "watch", "create"],
      },
    ]);
    const creator = new DbProvisionClient({ endpoint: server.portalEndpoint, ca: server.ca, token: creatorToken });
    try {
      const details = await creator.getConnection(pgNs, userName());
      assert.equal(details.user, connection.user);
      assert.equal(details.password, "");
      await assert.rejects(creator.getConnection(pgNs, userName(), { includePassword: true }), PermissionDeniedError);
    } finally {
      creator.close();
    }
  });

  it("plans without storing anything", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const timersBefore = timers();
    const plan = await client.planDatabase({ namespace: pgNs, instance: "pg", database: `tssdk-plan-${run}`, profile: "read-only" });
    // The stream was left after its first message: its 5-minute deadline timer must not outlive it.
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(timers() <= timersBefore, `timers before ${timersBefore}, after ${timers()}: ${process.getActiveResourcesInfo()}`);
    // The objects as they would be stored; the standalone server's in-process provisioner is not asked for the SQL.
    assert.equal(plan.database?.metadata?.name, `tssdk-plan-${run}`);
    assert.equal(plan.user?.metadata?.name, `tssdk-plan-${run}-read-only`);
    assert.match(plan.message, /nothing was stored/);
    await assert.rejects(client.databases.get(pgNs, `tssdk-plan-${run}`), NotFoundError);
  });

  function userName(): string {
    // RequestDatabase's default DatabaseUser name: "{database}-{profile}".
    return `${database}-owner`;
  }
});

async function unprotectAndDelete(
  resources: NamespacedResources<typeof DatabaseSchema> | NamespacedResources<typeof DatabaseGrantSchema>,
  namespace: string,
  name: string,
): Promise<void> {
  const unprotected = { metadata: { name, namespace }, spec: { deletionProtection: false } };
  await resources.update(unprotected as never, ["spec.deletionProtection"]).catch((e) => mark(`cleanup: ${e}`));
  await resources.delete(namespace, name).catch((e) => mark(`cleanup: ${e}`));
}

function psql(sql: string, as: { user: string; database: string; password: string } = { user: "postgres", database: "postgres", password: "" }): string {
  const result = spawnSync("psql", ["-h", "127.0.0.1", "-p", "5432", "-U", as.user, "-d", as.database, "-tAc", sql], {
    encoding: "utf8",
    env: { ...process.env, PGPASSWORD: as.password, PGCONNECT_TIMEOUT: "10" },
  });
  if (result.status !== 0) {
    throw new Error(`psql as ${as.user} failed: ${result.stderr}`);
  }
  return result.stdout;
}

async function rejection(promise: Promise<unknown>): Promise<DbProvisionError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof DbProvisionError, `expected a DbProvisionError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

async function eventually(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
