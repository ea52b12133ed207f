package io.dbprovision.api.openapi;

import java.util.List;

/** One path with the parameters all its operations share. */
record PathItem(String path, List<Parameter> parameters, List<Operation> operations) {}
