package io.dbprovision.provisioner.engine.password;

import io.dbprovision.proto.v1alpha1.PasswordConfig;
import io.dbprovision.provisioner.engine.EngineException;
import java.security.SecureRandom;

/**
 * Draws passwords by a DatabaseUser's {@code passwordSecret} policy: {@code length} characters (8 to 128, default
 * 32), from letters and digits plus {@code !@#$%^&*} unless {@code includeSpecialChars} is false, without the
 * characters of {@code excludeChars} (when that leaves nothing, letters and digits). Each character is drawn
 * uniformly and independently with {@link SecureRandom}.
 */
public final class PasswordGenerator {
    public static final int DEFAULT_LENGTH = 32;
    public static final int MINIMUM_LENGTH = 8;
    public static final int MAXIMUM_LENGTH = 128;

    static final String LETTERS_AND_DIGITS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static final String SPECIAL = "!@#$%^&*";

    private final SecureRandom random;

    public PasswordGenerator() {
        this(new SecureRandom());
    }

    PasswordGenerator(SecureRandom random) {
        this.random = random;
    }

    /** A password by the policy; a length outside 8..128 is an InvalidDefinition of {@code policy.length}. */
    public String generate(PasswordConfig policy) {
        int length = policy.hasLength() ? policy.getLength() : DEFAULT_LENGTH;
        if (length < MINIMUM_LENGTH || length > MAXIMUM_LENGTH) {
            throw new EngineException.InvalidDefinition(
                    "policy.length", "must be between " + MINIMUM_LENGTH + " and " + MAXIMUM_LENGTH);
        }
        String alphabet = alphabet(policy);
        StringBuilder password = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    /** The characters a policy draws from, each once. */
    static String alphabet(PasswordConfig policy) {
        boolean special = !policy.hasIncludeSpecialChars() || policy.getIncludeSpecialChars();
        String candidates = special ? LETTERS_AND_DIGITS + SPECIAL : LETTERS_AND_DIGITS;
        String excluded = policy.getExcludeChars();
        StringBuilder alphabet = new StringBuilder();
        for (char c : candidates.toCharArray()) {
            if (excluded.indexOf(c) < 0) {
                alphabet.append(c);
            }
        }
        return alphabet.isEmpty() ? LETTERS_AND_DIGITS : alphabet.toString();
    }
}
