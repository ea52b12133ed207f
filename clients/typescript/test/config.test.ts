// Reading kubeconfig-format files: contexts, inline and file PEMs, and clear errors that never print a credential.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, DbProvisionClient, defaultConfigPath, loadConfigFile } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "tssdk-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const caPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const twoContexts = `
apiVersion: v1
kind: Config
current-context: admin
clusters:
  - name: local
    cluster:
      server: https://127.0.0.1:9443
      certificate-authority-data: ${Buffer.from(caPem).toString("base64")}
users:
  - name: admin
    user:
      token: s3cret-admin-token
  - name: cert-user
    user:
      client-certificate: cert.pem
      client-key: key.pem
contexts:
  - name: admin
    context: {cluster: local, user: admin, namespace: team-a}
  - name: cert
    context: {cluster: local, user: cert-user}
`;

describe("loadConfigFile", () => {
  it("reads the current context's server, CA, token and namespace", () => {
    const options = loadConfigFile({ path: write("two.yaml", twoContexts) });
    assert.equal(options.endpoint, "https://127.0.0.1:9443");
    assert.equal(options.ca?.toString(), caPem);
    assert.equal(options.token, "s3cret-admin-token");
    assert.equal(options.namespace, "team-a");
  });

  it("reads another context's client certificate and key from files relative to the config file", () => {
    write("cert.pem", "CERT");
    write("key.pem", "KEY");
    const options = loadConfigFile({ path: join(dir, "two.yaml"), context: "cert" });
    assert.equal(options.cert?.toString(), "CERT");
    assert.equal(options.key?.toString(), "KEY");
    assert.equal(options.token, undefined);
  });

  it("takes $DBPROVISION_CONFIG, else ~/.dbprovision/config", () => {
    assert.equal(defaultConfigPath({ DBPROVISION_CONFIG: "/etc/dbp.yaml" }), "/etc/dbp.yaml");
    assert.match(defaultConfigPath({}), /\.dbprovision\/config$/);
  });

  it("names the missing context", () => {
    assert.throws(() => loadConfigFile({ path: join(dir, "two.yaml"), context: "nope" }), {
      name: "ConfigError",
      message: /no context named "nope"/,
    });
  });

  it("names an unreadable file without echoing its content", () => {
    assert.throws(() => loadConfigFile({ path: join(dir, "missing.yaml") }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /cannot read .*missing\.yaml: ENOENT/);
      return true;
    });
  });

  it("rejects a file that is not a kubeconfig without printing the token in it", () => {
    const path = write("bad.yaml", "users: s3cret-admin-token\ncontexts: [{name: x, context: {cluster: c}}]\n");
    assert.throws(() => loadConfigFile({ path }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
  });

  it("refuses a plain-text endpoint", () => {
    assert.throws(() => new DbProvisionClient({ endpoint: "http://127.0.0.1:9443" }), /https/);
  });
});
