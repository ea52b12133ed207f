package io.dbprovision.api.openapi;

import java.util.Map;

/**
 * One response of an operation.
 *
 * @param schemas the named schema of the body, by media type; empty for a response without a body
 */
record Response(String code, String description, Map<String, String> schemas) {}
