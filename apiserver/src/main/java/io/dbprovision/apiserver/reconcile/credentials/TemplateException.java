package io.dbprovision.apiserver.reconcile.credentials;

/**
 * A {@code secretTemplate} that cannot be parsed or rendered. The message names the data key, the line and column and
 * what is wrong; it never contains a template value (password, TLS key, URL) nor rendered output, so it can go into a
 * status condition or an event as it is.
 */
public final class TemplateException extends RuntimeException {
    private final String key;
    private final String problem;

    TemplateException(String key, String problem) {
        super(
                key == null
                        ? "secretTemplate.data: " + problem
                        : "secretTemplate.data[" + GoQuote.forMessage(key) + "] " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** The data key whose template failed, or {@code null} when the problem is with the map as a whole. */
    public String key() {
        return key;
    }

    /** The message without the key: position and what is wrong. */
    public String problem() {
        return problem;
    }

    TemplateProblem toProblem() {
        return new TemplateProblem(key, problem);
    }
}
