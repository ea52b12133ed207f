package io.dbprovision.apiserver.auth;

import java.util.Optional;

/** Turns credentials into a user. Empty means "not mine"; the chain tries the next authenticator. */
public interface Authenticator {
    Optional<UserInfo> authenticate(Credentials credentials);
}
