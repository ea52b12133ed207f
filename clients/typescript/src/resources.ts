// The standard methods of every kind through one generic accessor. Everything kind-specific (the methods, the field
// that holds the object in requests and responses, the plural, the scope) is read off the generated descriptors,
// so a new kind in resources.proto needs one line in client.ts and nothing here.

import {
  create,
  getOption,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import type { Calls, CallOptions } from "./calls.js";
import type { PlannedStatement } from "./gen/dbops/engine/v1alpha1/engine_pb.js";
import { EventType } from "./gen/dbops/portal/v1alpha1/portal_pb.js";
import { resource } from "./gen/dbops/v1alpha1/options_pb.js";

/** Selects objects in list and watch. */
export interface SelectorOptions {
  /** A Kubernetes label selector, such as "team=payments,tier!=dev". */
  labelSelector?: string;
  /** A Kubernetes field selector, such as "metadata.name=orders". */
  fieldSelector?: string;
}

export interface ListOptions extends SelectorOptions, CallOptions {
  /** Objects per page (the server's default 500, at most 1000). The iterator fetches every page either way. */
  pageSize?: number;
}

export interface ListPageOptions extends ListOptions {
  /** The nextPageToken of the previous page. */
  pageToken?: string;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  /** Empty on the last page. */
  nextPageToken: string;
  /** The store's version the page was read at: watch from it to follow every later change. */
  resourceVersion: string;
}

export interface WatchOptions extends SelectorOptions {
  /** Watch from after this version (a page's resourceVersion); absent: an ADDED event for each object first. */
  resourceVersion?: string;
  /** Stops the watch. Leaving the for-await loop stops it too. */
  signal?: AbortSignal;
  /** A deadline for the whole watch; none by default. */
  timeoutMs?: number;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** One change. For BOOKMARK, object carries only metadata.resourceVersion. */
export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface DeleteOptions extends CallOptions {
  /** Delete only this resource version of the object (ABORTED, a ConflictError, otherwise). */
  etag?: string;
}

/** What a write would store, with validateOnly: the object and the SQL the provisioner would run for it. */
export interface Plan<T> {
  object: T;
  /** The statements in order, secrets redacted; empty when the instance could not be reached (see warnings). */
  statements: PlannedStatement[];
  warnings: string[];
}

/** Field paths to replace on update, such as ["spec.deletionPolicy", "metadata.labels"]; empty: spec, labels, annotations. */
export type UpdateMask = readonly string[];

/** Where a kind's object sits in each request and response of its service. */
interface KindLayout {
  readonly plural: string;
  readonly clusterScoped: boolean;
  readonly get: DescMethodUnary;
  readonly list: DescMethodUnary;
  readonly create: DescMethodUnary;
  readonly update: DescMethodUnary;
  readonly delete: DescMethodUnary;
  readonly watch: DescMethodServerStreaming;
  /** The field holding the object in Create/Update requests, Write responses and Watch events. */
  readonly createField: string;
  readonly updateField: string;
  readonly writeField: string;
  readonly eventField: string;
  /** The repeated field of List responses. */
  readonly listField: string;
}

function layoutOf(service: DescService, kind: DescMessage): KindLayout {
  const option = getOption(kind, resource);
  if (option.plural === "") {
    throw new Error(`${kind.typeName} carries no (dbops.v1alpha1.resource) option`);
  }
  const find = (verb: string, methodKind: DescMethod["methodKind"]): DescMethod => {
    const found = service.methods.find((m) => m.name.startsWith(verb) && m.methodKind === methodKind);
    if (found === undefined) {
      throw new Error(`${service.typeName} has no ${methodKind} ${verb} method`);
    }
    return found;
  };
  const method = (verb: string) => find(verb, "unary") as DescMethodUnary;
  const get = method("Get");
  if (get.output.typeName !== kind.typeName) {
    throw new Error(`${service.typeName}.${get.name} answers ${get.output.typeName}, not ${kind.typeName}`);
  }
  const list = method("List");
  const createMethod = method("Create");
  const update = method("Update");
  const del = method("Delete");
  const watch = find("Watch", "server_streaming") as DescMethodServerStreaming;
  return {
    plural: option.plural,
    clusterScoped: option.clusterScoped,
    get,
    list,
    create: createMethod,
    update,
    delete: del,
    watch,
    createField: objectField(createMethod.input, kind),
    updateField: objectField(update.input, kind),
    writeField: objectField(createMethod.output, kind),
    eventField: objectField(watch.output, kind),
    listField: objectField(list.output, kind),
  };
}

function objectField(message: DescMessage, kind: DescMessage): string {
  const field = message.fields.find(
    (f: DescField) => (f.fieldKind === "message" || f.fieldKind === "list") && f.message?.typeName === kind.typeName,
  );
  if (field === undefined) {
    throw new Error(`${message.typeName} has no field of type ${kind.typeName}`);
  }
  return field.localName;
}

type Fields = Record<string, unknown>;

/**
 * The standard methods of one kind, by resource name ("namespaces/demo/databases/orders"). The scoped accessors
 * below turn namespaces and names into resource names.
 */
abstract class Resources<S extends DescMessage> {
  protected readonly layout: KindLayout;

  constructor(
    protected readonly calls: Calls,
    service: DescService,
    readonly schema: S,
  ) {
    this.layout = layoutOf(service, schema);
  }

  /** The plural, as in Kubernetes paths ("databases"). */
  get plural(): string {
    return this.layout.plural;
  }

  /**
   * Creates the object: metadata.name (or generateName), labels, annotations and spec; for a namespaced kind also
   * metadata.namespace. Resolves to the object as stored.
   */
  async create(object: MessageInitShape<S>, options: CallOptions = {}): Promise<MessageShape<S>> {
    return (await this.write("create", object, false, options)).object;
  }

  /**
   * Replaces the fields `mask` names on the object named by its metadata. With metadata.resourceVersion set, only
   * when the object is still at that version (ConflictError otherwise).
   */
  async update(object: MessageInitShape<S>, mask: UpdateMask = [], options: CallOptions = {}): Promise<MessageShape<S>> {
    return (await this.write("update", object, false, options, mask)).object;
  }

  /** Create with validateOnly: checks, admits and plans without storing anything. */
  planCreate(object: MessageInitShape<S>, options: CallOptions = {}): Promise<Plan<MessageShape<S>>> {
    return this.write("create", object, true, options);
  }

  /** Update with validateOnly. */
  planUpdate(object: MessageInitShape<S>, mask: UpdateMask = [], options: CallOptions = {}): Promise<Plan<MessageShape<S>>> {
    return this.write("update", object, true, options, mask);
  }

  protected getByName(name: string, options: CallOptions): Promise<MessageShape<S>> {
    return this.calls.unary(this.layout.get, { name }, `get ${name}`, { ...options, idempotent: true }) as Promise<
      MessageShape<S>
    >;
  }

  protected async deleteByName(name: string, options: DeleteOptions): Promise<MessageShape<S>> {
    const response = await this.calls.unary(
      this.layout.delete,
      { name, etag: options.etag ?? "" },
      `delete ${name}`,
      { ...options, idempotent: false },
    );
    return (response as Fields)[this.layout.writeField] as MessageShape<S>;
  }

  protected async pageOf(parent: string, options: ListPageOptions): Promise<Page<MessageShape<S>>> {
    const request = {
      parent,
      pageSize: options.pageSize ?? 0,
      pageToken: options.pageToken ?? "",
      labelSelector: options.labelSelector ?? "",
      fieldSelector: options.fieldSelector ?? "",
    };
    const response = (await this.calls.unary(this.layout.list, request, `list ${this.where(parent)}`, {
      ...options,
      idempotent: true,
    })) as Fields;
    return {
      items: response[this.layout.listField] as MessageShape<S>[],
      nextPageToken: response["nextPageToken"] as string,
      resourceVersion: response["resourceVersion"] as string,
    };
  }

  protected async *allOf(parent: string, options: ListOptions): AsyncGenerator<MessageShape<S>, void, undefined> {
    let pageToken = "";
    do {
      const page = await this.pageOf(parent, { ...options, pageToken });
      yield* page.items;
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
  }

  protected async *watchOf(parent: string, options: WatchOptions): AsyncGenerator<WatchEvent<MessageShape<S>>, void, undefined> {
    const request = {
      parent,
      labelSelector: options.labelSelector ?? "",
      fieldSelector: options.fieldSelector ?? "",
      resourceVersion: options.resourceVersion ?? "",
    };
    const callOptions: CallOptions = {};
    if (options.signal !== undefined) callOptions.signal = options.signal;
    if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
    const events = this.calls.serverStream(this.layout.watch, request, `watch ${this.where(parent)}`, callOptions, 0);
    try {
      for await (const event of events) {
        const fields = event as Fields;
        yield {
          type: eventTypeName(fields["type"] as EventType),
          object: fields[this.layout.eventField] as MessageShape<S>,
        };
      }
    } catch (error) {
      // The caller's abort is how a watch is meant to end: the loop just stops.
      if (options.signal?.aborted === true) {
        return;
      }
      throw error;
    }
  }

  private async write(
    verb: "create" | "update",
    object: MessageInitShape<S>,
    validateOnly: boolean,
    options: CallOptions,
    mask: UpdateMask = [],
  ): Promise<Plan<MessageShape<S>>> {
    const message = create(this.schema, object) as Fields;
    const metadata = (message["metadata"] ?? {}) as { namespace?: string; name?: string; generateName?: string };
    const namespace = metadata.namespace ?? "";
    if (!this.layout.clusterScoped && namespace === "" && verb === "create") {
      throw new TypeError(`create ${this.layout.plural}: metadata.namespace is required`);
    }
    const name = this.resourceName(namespace, metadata.name || metadata.generateName || "");
    let response: Fields;
    if (verb === "create") {
      const request = {
        parent: this.layout.clusterScoped ? "" : `namespaces/${namespace}`,
        [this.layout.createField]: message,
        validateOnly,
      };
      response = (await this.calls.unary(this.layout.create, request, `create ${name}`, {
        ...options,
        idempotent: false,
      })) as Fields;
    } else {
      const request = {
        [this.layout.updateField]: message,
        updateMask: create(FieldMaskSchema, { paths: [...mask] }),
        validateOnly,
      };
      response = (await this.calls.unary(this.layout.update, request, `update ${name}`, {
        ...options,
        idempotent: false,
      })) as Fields;
    }
    return {
      object: response[this.layout.writeField] as MessageShape<S>,
      statements: (response["plan"] ?? []) as PlannedStatement[],
      warnings: (response["warnings"] ?? []) as string[],
    };
  }

  protected resourceName(namespace: string, name: string): string {
    return this.layout.clusterScoped ? `${this.layout.plural}/${name}` : `namespaces/${namespace}/${this.layout.plural}/${name}`;
  }

  private where(parent: string): string {
    return parent === "" ? this.layout.plural : `${parent}/${this.layout.plural}`;
  }
}

/** The standard methods of a namespaced kind. */
export class NamespacedResources<S extends DescMessage> extends Resources<S> {
  /** The object; NotFoundError when it does not exist. */
  get(namespace: string, name: string, options: CallOptions = {}): Promise<MessageShape<S>> {
    return this.getByName(this.resourceName(namespace, name), options);
  }

  /** Every matching object in `namespace` (every namespace the caller may list when ""), page by page. */
  list(namespace = "", options: ListOptions = {}): AsyncIterable<MessageShape<S>> {
    return this.allOf(parent(namespace), options);
  }

  /** One page, for callers that keep the page token or want the resource version to watch from. */
  listPage(namespace = "", options: ListPageOptions = {}): Promise<Page<MessageShape<S>>> {
    return this.pageOf(parent(namespace), options);
  }

  /** Requests deletion; resolves to the object as it is then (with deletionTimestamp while finalizers run). */
  delete(namespace: string, name: string, options: DeleteOptions = {}): Promise<MessageShape<S>> {
    return this.deleteByName(this.resourceName(namespace, name), options);
  }

  /** The changes to matching objects in `namespace` ("" for all), until the signal aborts or the loop ends. */
  watch(namespace = "", options: WatchOptions = {}): AsyncIterable<WatchEvent<MessageShape<S>>> {
    return this.watchOf(parent(namespace), options);
  }
}

/** The standard methods of a cluster-scoped kind. */
export class ClusterResources<S extends DescMessage> extends Resources<S> {
  get(name: string, options: CallOptions = {}): Promise<MessageShape<S>> {
    return this.getByName(this.resourceName("", name), options);
  }

  list(options: ListOptions = {}): AsyncIterable<MessageShape<S>> {
    return this.allOf("", options);
  }

  listPage(options: ListPageOptions = {}): Promise<Page<MessageShape<S>>> {
    return this.pageOf("", options);
  }

  delete(name: string, options: DeleteOptions = {}): Promise<MessageShape<S>> {
    return this.deleteByName(this.resourceName("", name), options);
  }

  watch(options: WatchOptions = {}): AsyncIterable<WatchEvent<MessageShape<S>>> {
    return this.watchOf("", options);
  }
}

function parent(namespace: string): string {
  return namespace === "" ? "" : `namespaces/${namespace}`;
}

function eventTypeName(type: EventType): WatchEventType {
  switch (type) {
    case EventType.ADDED:
      return "ADDED";
    case EventType.MODIFIED:
      return "MODIFIED";
    case EventType.DELETED:
      return "DELETED";
    case EventType.BOOKMARK:
      return "BOOKMARK";
    default:
      // A type this SDK does not know yet: report the object changed rather than drop the event.
      return "MODIFIED";
  }
}
