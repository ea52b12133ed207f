#!/usr/bin/env python3
"""Writes proto/dbops/portal/v1alpha1/resources.proto: the portal API's standard methods, one service per kind.

Every kind has the same six methods (AIP-131..135 and a server-streaming Watch), so they are generated from the table
below instead of written out eleven times by hand. Edit this script, run it, and commit both; scripts/check-proto.sh
checks that the committed file is what the script writes (`--check`).
"""
import pathlib
import sys

# (Kind, plural, proto file that declares it, cluster-scoped)
KINDS = [
    ("DatabaseInstance", "databaseinstances", "instance", False),
    ("ClusterDatabaseInstance", "clusterdatabaseinstances", "instance", True),
    ("Database", "databases", "database", False),
    ("DatabaseUser", "databaseusers", "user", False),
    ("DatabaseRole", "databaseroles", "role", False),
    ("ClusterDatabaseRole", "clusterdatabaseroles", "role", True),
    ("DatabaseGrant", "databasegrants", "grant", False),
    ("ClusterDatabaseGrant", "clusterdatabasegrants", "grant", True),
    ("DatabaseBackup", "databasebackups", "backup", False),
    ("DatabaseBackupSchedule", "databasebackupschedules", "schedule", False),
    ("DatabaseRestore", "databaserestores", "restore", False),
]


def snake(name):
    out = ""
    for i, c in enumerate(name):
        if c.isupper() and i > 0:
            out += "_"
        out += c.lower()
    return out


def plural_kind(kind):
    return kind + "s"


def kind_block(kind, plural, cluster):
    field = snake(kind)
    plurals = plural_kind(kind)
    plural_field = snake(plurals)
    if cluster:
        name_doc = f'"{plural}/{{name}}"'
        parent_doc = "Always empty: the kind is cluster-scoped."
    else:
        name_doc = f'"namespaces/{{namespace}}/{plural}/{{name}}"'
        parent_doc = '"namespaces/{namespace}", or empty for all namespaces (the caller needs list cluster-wide).'
    create_parent_doc = (
        "Always empty: the kind is cluster-scoped."
        if cluster
        else '"namespaces/{namespace}"; the object\'s metadata.namespace, when set, must match.'
    )
    return f"""
// The standard methods of {kind} objects ({plural}.dbops.dbprovision.io). Each call is authorized, admitted and
// audited exactly as the equivalent Kubernetes request; objects written here are the objects kubectl shows.
service {plurals}Service {{
  // The object, as GET {plural}/{{name}} answers it. NOT_FOUND when it does not exist.
  rpc Get{kind}(Get{kind}Request) returns (dbops.v1alpha1.{kind});
  // A page of objects, ordered by namespace and name.
  rpc List{plurals}(List{plurals}Request) returns (List{plurals}Response);
  // Creates the object. ALREADY_EXISTS when its name is taken; INVALID_ARGUMENT with field violations when invalid.
  rpc Create{kind}(Create{kind}Request) returns ({kind}Write);
  // Replaces the fields the mask names (every field of spec, labels and annotations when it is empty).
  // ABORTED when metadata.resource_version is set and the object has changed since.
  rpc Update{kind}(Update{kind}Request) returns ({kind}Write);
  // Requests deletion. The object stays, with metadata.deletion_timestamp set, until its finalizers have run.
  rpc Delete{kind}(Delete{kind}Request) returns ({kind}Write);
  // The changes to matching objects from a resource version on: ADDED, MODIFIED and DELETED events, and BOOKMARK
  // events that carry only a resource version. OUT_OF_RANGE when that version is too old (list again, then watch).
  rpc Watch{plurals}(Watch{plurals}Request) returns (stream {kind}Event);
}}

message Get{kind}Request {{
  // The object's resource name: {name_doc}.
  string name = 1;
}}

message List{plurals}Request {{
  // {parent_doc}
  string parent = 1;
  // At most this many objects (default 500, at most 1000).
  int32 page_size = 2;
  // The next_page_token of the previous page; the other fields must be as they were.
  string page_token = 3;
  // A Kubernetes label selector, such as "team=payments,tier!=dev".
  string label_selector = 4;
  // A Kubernetes field selector over metadata.name, metadata.namespace and the kind's selectable fields.
  string field_selector = 5;
}}

message List{plurals}Response {{
  repeated dbops.v1alpha1.{kind} {plural_field} = 1;
  // Empty on the last page.
  string next_page_token = 2;
  // The store's resource version the page was read at: watch from it to follow every later change.
  string resource_version = 3;
}}

message Create{kind}Request {{
  // {create_parent_doc}
  string parent = 1;
  // The object: metadata.name (or metadata.generate_name), labels, annotations and spec. Read-only fields are ignored.
  dbops.v1alpha1.{kind} {field} = 2;
  // Check, admit and plan without storing anything: the answer holds the object as it would be stored and the SQL
  // the provisioner would run for it.
  bool validate_only = 3;
}}

message Update{kind}Request {{
  // The object, named by metadata.namespace and metadata.name. Its metadata.resource_version is the etag: when set,
  // the update applies only to that version.
  dbops.v1alpha1.{kind} {field} = 1;
  // Paths of the fields to replace, such as "spec.deletion_policy" or "metadata.labels"; empty means spec, labels
  // and annotations.
  google.protobuf.FieldMask update_mask = 2;
  // As in Create{kind}Request.
  bool validate_only = 3;
}}

message Delete{kind}Request {{
  // The object's resource name: {name_doc}.
  string name = 1;
  // When set, delete only this resource version of the object.
  string etag = 2;
  // Check and admit the deletion without doing it.
  bool validate_only = 3;
}}

// What a write stored or, with validate_only, would store.
message {kind}Write {{
  dbops.v1alpha1.{kind} {field} = 1;
  // With validate_only: the statements the provisioner would run, secrets redacted. Empty when the object's
  // instance cannot be reached to plan, with the reason in warnings.
  repeated dbops.engine.v1alpha1.PlannedStatement plan = 2;
  // Warnings, as Kubernetes returns them in Warning headers (deprecated fields, ignored values).
  repeated string warnings = 3;
}}

message Watch{plurals}Request {{
  // {parent_doc}
  string parent = 1;
  string label_selector = 2;
  string field_selector = 3;
  // Watch from after this version (a List's resource_version); empty: first an ADDED event for every matching
  // object, then the changes.
  string resource_version = 4;
}}

message {kind}Event {{
  dbops.portal.v1alpha1.EventType type = 1;
  // The object after the change; for DELETED its last state; for BOOKMARK only metadata.resource_version.
  dbops.v1alpha1.{kind} {field} = 2;
}}
"""


def render():
    imports = sorted({f'import "dbops/v1alpha1/{proto}.proto";' for _, _, proto, _ in KINDS})
    header = f"""// GENERATED by scripts/generate-portal-proto.py from its table of kinds; edit the script, not this file.
syntax = "proto3";

// The portal API's standard methods: Get, List, Create, Update, Delete and Watch for every kind of
// dbops.dbprovision.io/v1alpha1, in the manner of Google's API Improvement Proposals. Resource names are the
// Kubernetes paths without the group prefix ("namespaces/demo/databases/orders", "clusterdatabaseinstances/shared");
// the etag is metadata.resource_version.
package dbops.portal.v1alpha1;

import "dbops/engine/v1alpha1/engine.proto";
import "dbops/portal/v1alpha1/portal.proto";
{chr(10).join(imports)}
import "google/protobuf/field_mask.proto";

option java_multiple_files = true;
option java_package = "io.dbprovision.proto.portal.v1alpha1";
option java_outer_classname = "ResourcesProto";
"""
    return header + "".join(kind_block(k, p, c) for k, p, _, c in KINDS)


if __name__ == "__main__":
    target = pathlib.Path(__file__).resolve().parent.parent / "proto/dbops/portal/v1alpha1/resources.proto"
    text = render()
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        sys.exit(0 if target.read_text() == text else 1)
    target.write_text(text)
