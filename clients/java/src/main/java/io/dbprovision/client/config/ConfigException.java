package io.dbprovision.client.config;

/**
 * The client's configuration cannot be used: a kubeconfig file that is missing, too large, not YAML, or without a
 * field the connection needs. The message names the file and the field's path, never a field's value (tokens and
 * keys live in these files).
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
