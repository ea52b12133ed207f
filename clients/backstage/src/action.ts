// The scaffolder action dbprovision:database:request: RequestDatabase through the TypeScript SDK, its progress in the
// task log, the connection details (never the password) as outputs.

import { createTemplateAction } from "@backstage/plugin-scaffolder-node";
import type { DbProvisionSettings } from "./config.js";

// The SDK is an ES module and Backstage backends are CommonJS: it is loaded with import(), which CommonJS may do.
type Sdk = typeof import("@dbprovision/client", { with: { "resolution-mode": "import" } });

const PROFILES = ["owner", "read-write", "read-only"] as const;

export const ACTION_ID = "dbprovision:database:request";

/** The action, talking to the portal API as `settings` say. */
export function createDatabaseRequestAction(settings: DbProvisionSettings) {
  return createTemplateAction({
    id: ACTION_ID,
    description:
      "Requests a database from DB Provision: creates the Database, a DatabaseUser and a grant with the access " +
      "profile, waits until they are ready and outputs how to connect. The password stays in the output Secret.",
    examples: [
      {
        description: "A read-write database for a new service",
        example: [
          "steps:",
          "  - id: database",
          "    action: dbprovision:database:request",
          "    input:",
          "      instance: pg",
          "      namespace: team-payments",
          "      name: ${{ parameters.component_id }}",
          "      profile: read-write",
        ].join("\n"),
      },
    ],
    schema: {
      input: {
        instance: (z) =>
          z
            .string()
            .min(1)
            .describe(
              "The server: a DatabaseInstance in the namespace by name, or clusterdatabaseinstances/{name}",
            ),
        namespace: (z) => z.string().min(1).describe("The namespace the Database, DatabaseUser and grant go in"),
        name: (z) => z.string().min(1).describe("Name of the Database object; the database gets it with '-' as '_'"),
        profile: (z) =>
          z.enum(PROFILES).optional().describe("What the application may do: owner, read-write (default), read-only"),
        user: (z) =>
          z.string().min(1).optional().describe("Name of the DatabaseUser object; default {name}-{profile}"),
      },
      output: {
        host: (z) => z.string(),
        port: (z) => z.number(),
        database: (z) => z.string().describe("The database's name on the server"),
        user: (z) => z.string().describe("The user to log in as"),
        tlsMode: (z) => z.string().describe("disable, require, verify-ca or verify-full"),
        secretName: (z) => z.string().describe("The Secret holding the password"),
        secretNamespace: (z) => z.string(),
        passwordKey: (z) => z.string().describe("The password's key in that Secret"),
      },
    },
    async handler(ctx) {
      const { DbProvisionClient, DbProvisionError } = await loadSdk();
      const { instance, namespace, name, profile, user } = ctx.input;
      const clientOptions: ConstructorParameters<Sdk["DbProvisionClient"]>[0] = { endpoint: settings.endpoint };
      if (settings.ca !== undefined) clientOptions.ca = settings.ca;
      if (settings.token !== undefined) clientOptions.token = settings.token;
      if (settings.requestTimeoutMs !== undefined) clientOptions.requestTimeoutMs = settings.requestTimeoutMs;
      const client = new DbProvisionClient(clientOptions);
      ctx.logger.info(`Requesting database ${namespace}/${name} on ${instance} (${profile ?? "read-write"})`);
      try {
        const request: Parameters<typeof client.requestDatabase>[0] = { namespace, instance, database: name };
        if (profile !== undefined) request.profile = profile;
        if (user !== undefined) request.user = user;
        const callOptions: { signal?: AbortSignal } = {};
        if (ctx.signal !== undefined) callOptions.signal = ctx.signal;
        const connection = await client.requestDatabase(
          request,
          (progress) => {
            if (progress.message !== "") ctx.logger.info(progress.message);
          },
          callOptions,
        );
        ctx.logger.info(
          `Database ${connection.database} ready on ${connection.host}:${connection.port} for user ${connection.user}; ` +
            `password in Secret ${connection.secretNamespace}/${connection.secretName}`,
        );
        ctx.output("host", connection.host);
        ctx.output("port", connection.port);
        ctx.output("database", connection.database);
        ctx.output("user", connection.user);
        ctx.output("tlsMode", connection.tlsMode);
        ctx.output("secretName", connection.secretName);
        ctx.output("secretNamespace", connection.secretNamespace);
        ctx.output("passwordKey", connection.passwordKey);
      } catch (error) {
        if (error instanceof DbProvisionError) {
          // The SDK's messages carry the server's reason and field violations, never a credential.
          throw new Error(`${ACTION_ID} failed (${error.code}): ${error.message}`, { cause: error });
        }
        throw error;
      } finally {
        client.close();
      }
    },
  });
}

function loadSdk(): Promise<Sdk> {
  return import("@dbprovision/client");
}
