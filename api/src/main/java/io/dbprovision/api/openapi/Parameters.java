package io.dbprovision.api.openapi;

import io.dbprovision.api.openapi.Parameter.Type;
import io.dbprovision.api.schema.Kind;
import java.util.List;

/**
 * The parameters of the operations, described for this server. kubectl reads their names: a PATCH with
 * {@code fieldValidation} is what makes it validate on the server rather than on the client.
 */
final class Parameters {
    static final Parameter NAMESPACE =
            Parameter.path("namespace", "object name and auth scope, such as for teams and projects");

    static final Parameter PRETTY =
            Parameter.query("pretty", Type.STRING, "If 'true', then the output is pretty printed.");

    static final Parameter DRY_RUN = Parameter.query(
            "dryRun",
            Type.STRING,
            "When present, indicates that modifications should not be persisted. The only valid value is All: "
                    + "defaulting, validation and admission run and the would-be result is returned, but nothing "
                    + "is stored. Any other value is rejected with 400 Bad Request.");

    static final Parameter FIELD_MANAGER = Parameter.query(
            "fieldManager",
            Type.STRING,
            "Name of the actor or workflow making these changes, at most 128 characters. Required for apply "
                    + "patches (application/apply-patch+yaml), optional otherwise.");

    static final Parameter FIELD_VALIDATION = Parameter.query(
            "fieldValidation",
            Type.STRING,
            "How the server treats unknown and duplicate fields in the request body. Ignore drops them silently. "
                    + "Warn (the default) drops them and returns one Warning header for each. Strict rejects the "
                    + "request with 400 Bad Request naming the fields.");

    static final Parameter FORCE = Parameter.query(
            "force",
            Type.BOOLEAN,
            "Apply patches only: take over fields that other managers own instead of failing with 409 Conflict. "
                    + "Must be unset for other patch types.");

    static final Parameter ALLOW_WATCH_BOOKMARKS = Parameter.query(
            "allowWatchBookmarks",
            Type.BOOLEAN,
            "With watch, asks for BOOKMARK events, which carry only a resourceVersion so that a client can resume "
                    + "a watch cheaply. The server may send none. Ignored without watch.");

    static final Parameter CONTINUE = Parameter.query(
            "continue",
            Type.STRING,
            "The metadata.continue token of the previous page, to read the next page of the same list. An expired "
                    + "token yields 410 Gone; start again without it.");

    static final Parameter FIELD_SELECTOR = Parameter.query(
            "fieldSelector",
            Type.STRING,
            "Restricts the list to objects whose fields match, such as metadata.name=db1. Terms are separated by "
                    + "commas and use =, == or !=. metadata.name and metadata.namespace are supported.");

    static final Parameter LABEL_SELECTOR = Parameter.query(
            "labelSelector",
            Type.STRING,
            "Restricts the list to objects whose labels match, such as app=orders,tier in (db,cache). Defaults to "
                    + "everything.");

    static final Parameter LIMIT = Parameter.query(
            "limit",
            Type.INTEGER,
            "Most objects to return in one page. When more remain, the list's metadata.continue is set to fetch "
                    + "the next page. The server may return fewer, or all of them.");

    static final Parameter RESOURCE_VERSION = Parameter.query(
            "resourceVersion",
            Type.STRING,
            "Which version of the collection to read. Unset: the most recent. 0: any version. Otherwise a version "
                    + "at least as new as the one given (exactly it with resourceVersionMatch=Exact). With watch, "
                    + "the version to start watching from.");

    static final Parameter RESOURCE_VERSION_MATCH = Parameter.query(
            "resourceVersionMatch",
            Type.STRING,
            "How resourceVersion applies to a list: NotOlderThan or Exact. Only with resourceVersion, and not "
                    + "with continue.");

    static final Parameter SEND_INITIAL_EVENTS = Parameter.query(
            "sendInitialEvents",
            Type.BOOLEAN,
            "With watch, starts the stream with an ADDED event for each current object, followed by a BOOKMARK. "
                    + "Only valid with watch.");

    static final Parameter TIMEOUT_SECONDS =
            Parameter.query("timeoutSeconds", Type.INTEGER, "Timeout of the list or watch call, in seconds.");

    static final Parameter WATCH = Parameter.query(
            "watch",
            Type.BOOLEAN,
            "Watch for changes instead of listing: the response is a stream of ADDED, MODIFIED and DELETED "
                    + "events, starting after resourceVersion when it is given.");

    static final Parameter GRACE_PERIOD_SECONDS = Parameter.query(
            "gracePeriodSeconds",
            Type.INTEGER,
            "Seconds to wait before deletion. Objects of this API have no graceful termination, so the value has "
                    + "no effect.");

    static final Parameter ORPHAN_DEPENDENTS = Parameter.query(
            "orphanDependents",
            Type.BOOLEAN,
            "Deprecated: use propagationPolicy. true orphans the dependents (Orphan), false deletes them in the "
                    + "background (Background).");

    static final Parameter PROPAGATION_POLICY = Parameter.query(
            "propagationPolicy",
            Type.STRING,
            "Whether and how dependents are garbage collected: Orphan, Background or Foreground.");

    /** Query parameters of POST and PUT. */
    static final List<Parameter> WRITE = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION);

    /** Query parameters of PATCH. */
    static final List<Parameter> PATCH = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE);

    /** Query parameters of list and watch. */
    static final List<Parameter> LIST = List.of(
            ALLOW_WATCH_BOOKMARKS,
            CONTINUE,
            FIELD_SELECTOR,
            LABEL_SELECTOR,
            LIMIT,
            RESOURCE_VERSION,
            RESOURCE_VERSION_MATCH,
            SEND_INITIAL_EVENTS,
            TIMEOUT_SECONDS,
            WATCH);

    /** Query parameters of DELETE on one object. */
    static final List<Parameter> DELETE = List.of(DRY_RUN, GRACE_PERIOD_SECONDS, ORPHAN_DEPENDENTS, PROPAGATION_POLICY);

    /** Query parameters of DELETE on a collection: the deletion options and which objects to delete. */
    static final List<Parameter> DELETE_COLLECTION = List.of(
            CONTINUE,
            DRY_RUN,
            FIELD_SELECTOR,
            GRACE_PERIOD_SECONDS,
            LABEL_SELECTOR,
            LIMIT,
            ORPHAN_DEPENDENTS,
            PROPAGATION_POLICY,
            RESOURCE_VERSION,
            RESOURCE_VERSION_MATCH,
            SEND_INITIAL_EVENTS,
            TIMEOUT_SECONDS);

    private Parameters() {}

    static Parameter name(Kind kind) {
        return Parameter.path("name", "name of the " + kind.kind());
    }
}
