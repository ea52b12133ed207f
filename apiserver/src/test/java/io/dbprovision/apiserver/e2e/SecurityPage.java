package io.dbprovision.apiserver.e2e;

/**
 * The RBAC objects of the seed's security page ("User RBAC" and "Cross-Namespace Mode"), as written there but for
 * their namespaces (app-namespace, database-namespace and database become the test's own), created by the admin;
 * and the bindings that give the tests' users their roles, since the page binds only instance-reader.
 */
final class SecurityPage {
    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

    private SecurityPage() {}

    /**
     * Creates the page's roles in {@code app}, {@code dba} and {@code shared} and binds: user dev and service
     * account {@code sa} (system:serviceaccount:app:default) to database-developer in app, the page's binding of sa
     * to instance-reader in shared, group dbas to database-admin in dba, user ns-admin to ClusterRole admin in
     * shared, user viewer to ClusterRole view everywhere, and user impersonator to a ClusterRole that may
     * impersonate users, groups and service accounts.
     */
    static void grant(SecuredServer server, String app, String dba, String shared, String sa) {
        server.create(RBAC + "/namespaces/" + app + "/roles", """
                # Developer role - manage own databases
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: database-developer
                  namespace: %s
                rules:
                - apiGroups: ["dbops.dbprovision.io"]
                  resources: ["databases", "databaseusers", "databasegrants"]
                  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
                - apiGroups: [""]
                  resources: ["secrets"]
                  verbs: ["get", "list"]
                  resourceNames: ["*-credentials"] # Only credential secrets
                """.formatted(app));
        server.create(RBAC + "/namespaces/" + dba + "/roles", """
                # Admin role - manage instances
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: database-admin
                  namespace: %s
                rules:
                - apiGroups: ["dbops.dbprovision.io"]
                  resources: ["*"]
                  verbs: ["*"]
                - apiGroups: [""]
                  resources: ["secrets"]
                  verbs: ["*"]
                """.formatted(dba));
        server.create(RBAC + "/namespaces/" + shared + "/roles", """
                # In database namespace
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: instance-reader
                  namespace: %s
                rules:
                - apiGroups: ["dbops.dbprovision.io"]
                  resources: ["databaseinstances"]
                  verbs: ["get", "list", "watch"]
                """.formatted(shared));
        server.create(RBAC + "/namespaces/" + shared + "/rolebindings", """
                # Bind to app-team-a service account
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: app-team-a-instance-reader
                  namespace: %s
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: instance-reader
                subjects:
                - kind: ServiceAccount
                  name: default
                  namespace: %s
                """.formatted(shared, app));

        // the bindings the page leaves to its reader
        String[] saParts = sa.split(":");
        server.create(RBAC + "/namespaces/" + app + "/rolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: developers
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: database-developer
                subjects:
                - kind: User
                  apiGroup: rbac.authorization.k8s.io
                  name: dev
                - kind: ServiceAccount
                  name: %s
                  namespace: %s
                """.formatted(saParts[3], saParts[2]));
        server.create(RBAC + "/namespaces/" + dba + "/rolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: dbas
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: database-admin
                subjects:
                - kind: Group
                  apiGroup: rbac.authorization.k8s.io
                  name: dbas
                """);
        server.create(RBAC + "/namespaces/" + shared + "/rolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: namespace-admin
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: admin
                subjects:
                - kind: User
                  apiGroup: rbac.authorization.k8s.io
                  name: ns-admin
                """);
        server.create(RBAC + "/clusterrolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: viewer-%s
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: view
                subjects:
                - kind: User
                  apiGroup: rbac.authorization.k8s.io
                  name: viewer
                """.formatted(app));
        server.create(RBAC + "/clusterroles", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: impersonator-%s
                rules:
                - apiGroups: [""]
                  resources: ["users", "groups", "serviceaccounts"]
                  verbs: ["impersonate"]
                """.formatted(app));
        server.create(RBAC + "/clusterrolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: impersonator-%s
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: impersonator-%s
                subjects:
                - kind: User
                  apiGroup: rbac.authorization.k8s.io
                  name: impersonator
                """.formatted(app, app));
    }
}
