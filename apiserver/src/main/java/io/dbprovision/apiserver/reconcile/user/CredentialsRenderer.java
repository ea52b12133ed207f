package io.dbprovision.apiserver.reconcile.user;

import java.util.Map;

/**
 * Turns {@code passwordSecret.secretTemplate.data} and the credential values into the data keys of a credentials
 * Secret. Empty template data means the default keys ({@code username}, {@code password}, {@code host},
 * {@code port}); otherwise the rendered keys replace them (§1.6). {@link UserLogic} adds the bookkeeping keys
 * itself, so a renderer only renders.
 *
 * <p>This is the seam to the Go {@code text/template} engine of {@code reconcile.credentials}: an implementation that
 * calls {@code SecretTemplate.parse(data).render(new TemplateValues(...))} and turns a {@code TemplateException} into
 * {@link InvalidTemplate} (its message is safe: it never contains a value) is all that engine needs to be used.
 * Until then {@link SimpleCredentialsRenderer} serves.
 */
public interface CredentialsRenderer {
    /**
     * @return key to rendered value
     * @throws InvalidTemplate when the template cannot be parsed or rendered; its message never contains a value
     */
    Map<String, String> render(Map<String, String> templateData, CredentialValues values);

    /** A template that cannot be parsed or rendered. The message names the key and the problem, never a value. */
    final class InvalidTemplate extends RuntimeException {
        public InvalidTemplate(String message) {
            super(message, null, false, false);
        }
    }
}
