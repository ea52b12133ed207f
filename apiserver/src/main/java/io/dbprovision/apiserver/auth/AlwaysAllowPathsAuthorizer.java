package io.dbprovision.apiserver.auth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --authorization-always-allow-paths}: non-resource paths anyone may request without asking the cluster
 * (health probes, which the kubelet sends without credentials). As in k8s.io/apiserver a path matches exactly, or
 * by prefix when it ends in {@code *}; resource requests never match, and other paths get no opinion.
 */
public final class AlwaysAllowPathsAuthorizer implements Authorizer {
    private final Set<String> exact = new HashSet<>();
    private final List<String> prefixes = new ArrayList<>();

    public AlwaysAllowPathsAuthorizer(List<String> paths) {
        for (String path : paths) {
            String p = path.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty value in --authorization-always-allow-paths");
            }
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException(
                        "--authorization-always-allow-paths: " + p + " does not start with /");
            }
            if (p.endsWith("*")) {
                prefixes.add(p.substring(0, p.length() - 1));
            } else {
                exact.add(p);
            }
        }
    }

    @Override
    public Decision authorize(Request request) {
        if (request.resourceRequest()) {
            return Decision.noOpinion("");
        }
        String path = request.path();
        if (exact.contains(path)) {
            return Decision.allow();
        }
        for (String prefix : prefixes) {
            if (path.startsWith(prefix)) {
                return Decision.allow();
            }
        }
        return Decision.noOpinion("");
    }
}
