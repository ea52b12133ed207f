package io.dbprovision.apiserver.storage.bench;

import java.util.Locale;

/**
 * Who the HTTP benchmark's requests come from and how the server decides on them ({@code -Dbench.auth}):
 *
 * <ul>
 *   <li>{@link #MASTERS}: the standalone admin (group {@code system:masters}, which the authorizer chain allows
 *       before RBAC is asked), audit off — the benchmark as issue 4 measured it;
 *   <li>{@link #RBAC}: a user of the standalone server's {@code --token-auth-file}, in no privileged group and bound by
 *       a ClusterRoleBinding (created by the admin before the run) to a ClusterRole that allows what the benchmark
 *       does, so that local RBAC evaluates every request; the audit log on ({@code --audit-log-path} in the run's
 *       data directory, the default policy: every request at level Metadata);
 *   <li>{@link #SAR}: the server in delegated (in-cluster) mode, as the kube-aggregator reaches it: the front proxy's
 *       client certificate with {@code X-Remote-User} / {@code X-Remote-Group}, every request authorized by a
 *       SubjectAccessReview to a fake kube-apiserver ({@link BenchKubeApiServer}) through the authorizer's cache;
 *       the audit log on as for RBAC;
 *   <li>{@link #AUDIT}: the admin with the audit log on as for RBAC, to tell audit's cost from RBAC's.
 * </ul>
 */
enum BenchAuth {
    MASTERS("masters"),
    /** The admin with the audit log on: what audit alone costs, apart from RBAC. */
    AUDIT("masters+audit"),
    RBAC("rbac+audit"),
    SAR("sar+audit");

    /** The user the RBAC and SAR modes' requests come from, and its group. */
    static final String USER = "bench-user";

    static final String GROUP = "bench-writers";

    /** How the mode names its HTTP columns ({@code h2 rbac+audit}). */
    final String label;

    BenchAuth(String label) {
        this.label = label;
    }

    static BenchAuth parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "masters" -> MASTERS;
            case "audit" -> AUDIT;
            case "rbac" -> RBAC;
            case "sar" -> SAR;
            default -> throw new IllegalArgumentException("bench.auth: masters, audit, rbac or sar, not " + text);
        };
    }

    /** The word the server process is started with. */
    String argument() {
        return name().toLowerCase(Locale.ROOT);
    }
}
