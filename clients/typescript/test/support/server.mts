// Starts the real standalone server (the runnable jar the Maven build made) as a child process, with a temporary data
// directory and free ports, and waits for it to write portal-kubeconfig. Also a small admin REST client for what the
// portal API does not serve (core v1 Secrets, RBAC).
//
// Environment: DBPROVISION_JAR (default ../../apiserver/target/dbprovision.jar from the package directory) and
// JAVA_HOME (a JDK >= 21; default: what scripts/jdk.sh picks).

import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A user of the token file: its token, name and groups. */
export interface TestUser {
  token: string;
  name: string;
  groups?: string[];
}

export interface StartOptions {
  /** Extra users (--token-auth-file). */
  users?: TestUser[];
}

export class TestServer {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly portalPort: number,
    private readonly process: ChildProcess,
    private readonly output: string[],
  ) {}

  /** The kubeconfig-format file the portal clients read. */
  get portalKubeconfig(): string {
    return join(this.dataDir, "portal-kubeconfig");
  }

  /** The portal endpoint, https://127.0.0.1:PORT. */
  get portalEndpoint(): string {
    return `https://127.0.0.1:${this.portalPort}`;
  }

  /** The server's CA (PEM). */
  get ca(): Buffer {
    return readFileSync(join(this.dataDir, "pki", "ca.crt"));
  }

  get adminToken(): string {
    return readFileSync(join(this.dataDir, "admin.token"), "utf8").trim();
  }

  static async start(options: StartOptions = {}): Promise<TestServer> {
    const packageDir = process.cwd();
    const jar = resolve(process.env["DBPROVISION_JAR"] ?? join(packageDir, "..", "..", "apiserver", "target", "dbprovision.jar"));
    if (!existsSync(jar)) {
      throw new Error(`no server jar at ${jar}: build it (./build -o -q install -DskipTests) or set DBPROVISION_JAR`);
    }
    const dataDir = mkdtempSync(join(tmpdir(), "tssdk-"));
    const [port, portalPort] = [await freePort(), await freePort()];
    const args = ["-jar", jar, "standalone", "--data-dir", dataDir, "--port", String(port), "--portal-port", String(portalPort), "--no-fsync"];
    if (options.users !== undefined && options.users.length > 0) {
      const tokenFile = `${dataDir}-tokens.csv`;
      writeFileSync(
        tokenFile,
        options.users.map((u) => `${u.token},${u.name},${u.name},"${(u.groups ?? []).join(",")}"`).join("\n") + "\n",
        { mode: 0o600 },
      );
      args.push("--token-auth-file", tokenFile);
    }
    const output: string[] = [];
    const child = spawn(join(javaHome(), "bin", "java"), args, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const server = new TestServer(dataDir, port, portalPort, child, output);
    await server.awaitReady();
    return server;
  }

  /** The last lines the server printed, for failure messages. */
  log(): string {
    return this.output.join("").split("\n").slice(-40).join("\n");
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once("exit", resolve));
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(`${this.dataDir}-tokens.csv`, { force: true });
  }

  /** A REST call as the admin: the JSON answer, or a rejection with the status and body. */
  rest(method: string, path: string, body?: unknown): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolvePromise, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.port,
          method,
          path,
          ca: this.ca,
          headers: {
            authorization: `Bearer ${this.adminToken}`,
            accept: "application/json",
            ...(payload === undefined ? {} : { "content-type": "application/json" }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            if ((res.statusCode ?? 500) >= 300) {
              reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
            } else {
              resolvePromise(text === "" ? undefined : JSON.parse(text));
            }
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Creates a core v1 Secret (the portal API serves only dbops kinds). */
  createSecret(namespace: string, name: string, stringData: Record<string, string>): Promise<unknown> {
    return this.rest("POST", `/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace },
      stringData,
    });
  }

  /** Binds `user` to a new Role in `namespace` with these rules. */
  async grant(namespace: string, user: string, rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
    const name = `${user}-role`;
    await this.rest("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace },
      rules,
    });
    await this.rest("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    });
  }

  private async awaitReady(): Promise<void> {
    const deadline = Date.now() + 180_000;
    while (!existsSync(this.portalKubeconfig)) {
      if (this.process.exitCode !== null) {
        throw new Error(`the server exited with ${this.process.exitCode}:\n${this.log()}`);
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`no ${this.portalKubeconfig} after 180 s:\n${this.log()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A port nothing listens on now (the server binds it a moment later; collisions are unlikely, not impossible). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

function javaHome(): string {
  const fromEnv = process.env["JAVA_HOME"];
  if (fromEnv !== undefined && fromEnv !== "" && javaMajor(fromEnv) >= 21) {
    return fromEnv;
  }
  // Outside Maven: the JDK the project's scripts pick.
  const script = resolve(process.cwd(), "..", "..", "scripts", "jdk.sh");
  return execFileSync("bash", ["-c", `unset JAVA_HOME; source "${script}" && printf %s "$JAVA_HOME"`]).toString();
}

function javaMajor(home: string): number {
  const result = spawnSync(join(home, "bin", "java"), ["-XshowSettings:properties", "-version"], { encoding: "utf8" });
  return Number(/java\.specification\.version = (\d+)/.exec(result.stderr ?? "")?.[1] ?? 0);
}
