package io.dbprovision.apiserver.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/** Bearer tokens known in advance (standalone mode's admin token). Compared in constant time. */
public final class StaticTokenAuthenticator implements Authenticator {
    private final Map<String, UserInfo> users;

    public StaticTokenAuthenticator(Map<String, UserInfo> users) {
        this.users = Map.copyOf(users);
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        if (credentials.bearerToken().isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = credentials.bearerToken().get().getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, UserInfo> entry : users.entrySet()) {
            if (MessageDigest.isEqual(presented, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }
}
