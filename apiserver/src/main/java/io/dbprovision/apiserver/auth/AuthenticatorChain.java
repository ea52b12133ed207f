package io.dbprovision.apiserver.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tries authenticators in order; every authenticated user is also in {@code system:authenticated}. */
public final class AuthenticatorChain implements Authenticator {
    private final List<Authenticator> authenticators;

    public AuthenticatorChain(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        for (Authenticator authenticator : authenticators) {
            Optional<UserInfo> user = authenticator.authenticate(credentials);
            if (user.isPresent()) {
                UserInfo found = user.get();
                List<String> groups = new ArrayList<>(found.groups());
                if (!groups.contains("system:authenticated")) {
                    groups.add("system:authenticated");
                }
                return Optional.of(new UserInfo(found.name(), found.uid(), groups, found.extra()));
            }
        }
        return Optional.empty();
    }
}
