package io.dbprovision.provisioner.engine.password;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * SHA-256-crypt against glibc's {@code crypt(3)} ({@code $5$}; vectors from Python's crypt module on Debian 12, the
 * first also the specification's own), and MySQL 8's caching_sha2_password string built from it.
 */
class Sha256CryptTest {
    @Test
    void digestsAreGlibcs() {
        assertThat(Sha256Crypt.digest("Hello world!", "saltstring", 5000))
                .isEqualTo("5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5");
        assertThat(Sha256Crypt.digest("dbprov-Pw!x", "abcdefghijklmnop", 5000))
                .isEqualTo("RsjpuAJltecMezhzpal0znoc2mcGzCZ.fppkZJkwPb9");
        assertThat(Sha256Crypt.digest("", "0123456789abcdef", 5000))
                .isEqualTo("Zn36wCiXtVKLQsl4EZaBU/Ag5FUHHzFRXevhCLkg7x/");
        assertThat(Sha256Crypt.digest("a".repeat(80), "ABCDEFGHIJKLMNOP", 5000))
                .isEqualTo("O0hOiYPm2VJgFJs1Gs2EFMTMiGBPAmC9AnkcJsiVZH.");
        assertThat(Sha256Crypt.digest("pw", "short", 7000)).isEqualTo("YA83HuFnMjpX1LEg2wVNAZeUtFy/HQytkbbITZOKWbD");
    }

    @Test
    void aCachingSha2StringMatchesItsPasswordOnly() {
        String salt = "abcdefghij\u0001klmn!pqrs"; // 20 bytes, as MySQL makes them: 1–127 without '$'
        String stored = "$A$005$" + salt + Sha256Crypt.digest("s3cret'pw", salt, 5000);
        assertThat(MySqlCachingSha2Password.matches(stored, "s3cret'pw")).contains(true);
        assertThat(MySqlCachingSha2Password.matches(stored, "s3cret'pW")).contains(false);
        String slower = "$A$00A$" + salt + Sha256Crypt.digest("pw", salt, 10_000);
        assertThat(MySqlCachingSha2Password.matches(slower, "pw")).contains(true);
    }

    @Test
    void stringsOfAnotherFormCannotBeCompared() {
        assertThat(MySqlCachingSha2Password.matches(null, "pw")).isEmpty();
        assertThat(MySqlCachingSha2Password.matches("", "pw")).isEmpty();
        assertThat(MySqlCachingSha2Password.matches("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19", "pw"))
                .isEmpty();
        assertThat(MySqlCachingSha2Password.matches("$5$" + "x".repeat(67), "pw"))
                .isEmpty();
        assertThat(MySqlCachingSha2Password.matches("$A$ZZZ$" + "x".repeat(63), "pw"))
                .isEmpty();
        assertThat(MySqlCachingSha2Password.matches("$A$000$" + "x".repeat(63), "pw"))
                .isEmpty();
    }
}
