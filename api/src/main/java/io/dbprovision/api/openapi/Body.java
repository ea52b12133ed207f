package io.dbprovision.api.openapi;

import java.util.List;

/** The request body of an operation: one named schema, accepted in each of the media types. */
record Body(String schema, List<String> mediaTypes, boolean required) {}
