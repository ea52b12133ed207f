package io.dbprovision.client.errors;

/**
 * One invalid field, from the server's {@code google.rpc.BadRequest}: the field's path (such as {@code
 * spec.instanceRef.name}) and what is wrong with it.
 */
public record FieldViolation(String field, String description) {}
