package io.dbprovision.apiserver.e2e;

/**
 * Small manifests for the end-to-end tests, as a user would write them. Deletion protection is off: these tests
 * exercise deletion itself (protection has its own tests).
 */
final class Manifests {
    private Manifests() {}

    /** A DatabaseInstance with a label {@code tier}; {@code extraMetadata} is YAML indented by two spaces. */
    static String instance(String name, String engine, String host, int port, String tier, String extraMetadata) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: %s
                  labels:
                    tier: %s
                %s
                spec:
                  engine: %s
                  deletionProtection: false
                  connection:
                    host: %s
                    port: %d
                    secretRef:
                      name: %s-admin
                """.formatted(name, tier, extraMetadata, engine, host, port, name);
    }

    static String instance(String name, String host, int port) {
        return instance(name, "postgres", host, port, "gold", "");
    }

    static String clusterInstance(String name, String host) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseInstance
                metadata:
                  name: %s
                spec:
                  engine: mysql
                  deletionProtection: false
                  connection:
                    host: %s
                    secretRef:
                      name: %s-admin
                      namespace: databases
                """.formatted(name, host, name);
    }
}
