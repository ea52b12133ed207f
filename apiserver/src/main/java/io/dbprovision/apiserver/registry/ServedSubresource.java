package io.dbprovision.apiserver.registry;

import io.dbprovision.api.schema.ComputedSubresource;
import java.util.Objects;

/**
 * A computed subresource this server serves: what it is (its parent kind, its name, its response message) and the
 * reader that answers it. The server assembly registers it; routing, discovery and OpenAPI follow from it.
 *
 * <p>The reader's contract, as the endpoints keep it:
 *
 * <ul>
 *   <li>It is called only for {@code GET} (and {@code HEAD}) of {@code …/{plural}/{name}/{subresource}}, once the
 *       request is authenticated and authorized as verb {@code get} on {@code plural/subresource} (never on the
 *       parent resource alone), and the path's namespace and name are checked as every path's are (400 otherwise).
 *   <li>It decides whether the parent exists: for a parent that does not, it throws {@link ApiException.NotFound}
 *       naming the parent ({@code databaseusers.dbops.dbprovision.io "app" not found}), as Kubernetes answers a
 *       subresource of a missing object. Other failures are {@link ApiException}s too (Unavailable when the engine
 *       cannot be reached); their messages go to the client and must carry no secret.
 *   <li>It returns a message of the registered type. Unset {@code apiVersion}, {@code kind} and
 *       {@code metadata.name}/{@code namespace} are filled in from the request.
 *   <li>Anything else it throws is a 500 "an internal error occurred"; for a {@linkplain
 *       ComputedSubresource#sensitive() sensitive} subresource only the exception's class is logged, never its message
 *       or stack trace, which could hold what the answer holds.
 * </ul>
 */
public record ServedSubresource(ComputedSubresource subresource, SubresourceReader reader) {
    public ServedSubresource {
        Objects.requireNonNull(subresource, "subresource");
        Objects.requireNonNull(reader, "reader");
    }

    /** {@code dbops.dbprovision.io/v1alpha1/databaseusers/credentials}: how routing finds it. */
    public String key() {
        return key(subresource.apiVersion(), subresource.parent().plural(), subresource.name());
    }

    public static String key(String apiVersion, String plural, String subresource) {
        return apiVersion + "/" + plural + "/" + subresource;
    }
}
