// Runs the scaffolder action dbprovision:database:request once, outside Backstage, the way the scaffolder calls it:
// the settings read from an app-config `dbprovision` section, the action's handler given a task context (input, a
// logger, output). For trying the module against a server before installing it into a Backstage backend.
//
//   node examples/try-action.mjs <data-dir> <namespace> <instance> <name> [profile]
//
// <data-dir> is the standalone server's data directory: the portal's CA and the admin token are read from it.
// Built module required (`npm ci && npm run build`).

import { readFileSync } from "node:fs";
import { ConfigReader } from "@backstage/config";
import backstageModule from "../dist/index.js";

const { createDatabaseRequestAction, readDbProvisionSettings } = backstageModule;
const [dataDir, namespace, instance, name, profile] = process.argv.slice(2);
if (name === undefined) {
  console.error("usage: node examples/try-action.mjs <data-dir> <namespace> <instance> <name> [profile]");
  process.exit(2);
}

// What app-config.yaml would hold (see README.md, "Install").
const config = new ConfigReader({
  dbprovision: {
    endpoint: process.env.DBPROVISION_ENDPOINT ?? "https://127.0.0.1:9443",
    caFile: `${dataDir}/pki/ca.crt`,
    token: readFileSync(`${dataDir}/admin.token`, "utf8").trim(),
  },
});
const action = createDatabaseRequestAction(readDbProvisionSettings(config));

const outputs = {};
const log = (level) => (message) => console.log(`${level}: ${message}`);
await action.handler({
  input: profile === undefined ? { namespace, instance, name } : { namespace, instance, name, profile },
  logger: { info: log("info"), warn: log("warn"), error: log("error"), debug: () => {} },
  output: (key, value) => {
    outputs[key] = value;
  },
  signal: AbortSignal.timeout(300_000),
});
console.log(JSON.stringify(outputs, null, 2));
