package io.dbprovision.apiserver.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' union authorizer: asks each authorizer in order; the first that allows or denies decides. When none
 * has an opinion the request is denied, with their reasons joined.
 */
public final class AuthorizerChain implements Authorizer {
    private final List<Authorizer> authorizers;

    public AuthorizerChain(List<Authorizer> authorizers) {
        this.authorizers = List.copyOf(authorizers);
    }

    @Override
    public Decision authorize(Request request) {
        List<String> reasons = new ArrayList<>();
        for (Authorizer authorizer : authorizers) {
            Decision decision = authorizer.authorize(request);
            if (decision.verdict() != Verdict.NO_OPINION) {
                return decision;
            }
            if (!decision.reason().isEmpty()) {
                reasons.add(decision.reason());
            }
        }
        return Decision.deny(String.join("; ", reasons));
    }
}
