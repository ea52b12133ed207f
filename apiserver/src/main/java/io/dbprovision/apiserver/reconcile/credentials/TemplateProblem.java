package io.dbprovision.apiserver.reconcile.credentials;

/**
 * One thing wrong with a {@code secretTemplate.data} map, as {@link SecretTemplate#validate} finds it for admission:
 * the data key it is about ({@code null} when it is about the whole map) and a message that names the position and
 * never a value.
 */
public record TemplateProblem(String key, String message) {}
