package io.dbprovision.apiserver.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tries authenticators in order; every authenticated user is also in {@code system:authenticated}. */
public final class AuthenticatorChain implements Authenticator {
    static final String AUTHENTICATED = "system:authenticated";

    private final List<Authenticator> authenticators;
    /**
     * The last users given {@link #AUTHENTICATED}, by the identity of what the authenticator answered: a token file or
     * static token hands out the same {@link UserInfo} for every request of a user, so its copy with the group is made
     * once instead of per request. Users are immutable, so an identical one always gets the same answer.
     */
    private final Augmented[] recent = new Augmented[8];

    private record Augmented(UserInfo found, UserInfo withGroup) {}

    public AuthenticatorChain(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        for (Authenticator authenticator : authenticators) {
            Optional<UserInfo> user = authenticator.authenticate(credentials);
            if (user.isPresent()) {
                UserInfo found = user.get();
                return found.inGroup(AUTHENTICATED) ? user : Optional.of(withAuthenticatedGroup(found));
            }
        }
        return Optional.empty();
    }

    private UserInfo withAuthenticatedGroup(UserInfo found) {
        int slot = System.identityHashCode(found) & (recent.length - 1);
        Augmented known = recent[slot]; // a racy read of an immutable record: at worst a miss
        if (known != null && known.found() == found) {
            return known.withGroup();
        }
        List<String> groups = new ArrayList<>(found.groups().size() + 1);
        groups.addAll(found.groups());
        groups.add(AUTHENTICATED);
        UserInfo withGroup = new UserInfo(found.name(), found.uid(), groups, found.extra());
        recent[slot] = new Augmented(found, withGroup);
        return withGroup;
    }
}
