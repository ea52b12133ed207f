package io.dbprovision.apiserver.registry.admission;

/** What a write does to an object, as Kubernetes' admission names it. */
public enum Operation {
    CREATE,
    UPDATE,
    DELETE
}
