package io.dbprovision.client.errors;

/**
 * One unmet precondition, from the server's {@code google.rpc.PreconditionFailure}: its type (such as {@code
 * RESOURCE_VERSION} or a missing dependency), the subject it is about and a description.
 */
public record PreconditionViolation(String type, String subject, String description) {}
