package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.HeaderNames;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code Impersonate-User}, {@code -Group}, {@code -Uid} and {@code -Extra-*}, as Kubernetes handles them: each
 * thing asked for is authorized for the caller with the {@code impersonate} verb (users, groups, serviceaccounts,
 * uids, userextras), and then the request runs as the impersonated user, the caller kept as the impersonator for the
 * audit record. A request that asks for impersonation is carried out as the impersonated user or refused; it never
 * runs as the caller.
 */
public final class Impersonation implements Filter {
    private static final String USER = "impersonate-user";
    private static final String GROUP = "impersonate-group";
    private static final String UID = "impersonate-uid";
    private static final String EXTRA = "impersonate-extra-";
    private static final String AUTHENTICATION_GROUP = "authentication.k8s.io";
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    private final Authorizer authorizer;

    public Impersonation(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public void handle(Call call, RequestContext context, Handler next) {
        HeaderMap headers = call.exchange().getRequestHeaders();
        Map<String, List<String>> asked = new LinkedHashMap<>();
        List<HttpString> names = new ArrayList<>();
        for (HeaderValues values : headers) {
            // compared in place: lower-casing every header's name cost every request a copy of each
            if (HeaderNames.startsWithIgnoringCase(values.getHeaderName().toString(), "impersonate-")) {
                names.add(values.getHeaderName());
                asked.computeIfAbsent(values.getHeaderName().toString(), k -> new ArrayList<>())
                        .addAll(values);
            }
        }
        RequestContext acting = impersonate(context, asked);
        names.forEach(headers::remove);
        next.handle(call, acting);
    }

    /**
     * The context a request goes on with, given its {@code impersonate-*} headers (names in any case, each once, with every value):
     * unchanged when there are none, else acting as the impersonated user once the caller may impersonate everything
     * asked for (403 otherwise; 400 for headers that make no sense). Shared by the REST filter and the portal's gRPC
     * calls, whose metadata carries the same names.
     */
    public RequestContext impersonate(RequestContext context, Map<String, List<String>> headers) {
        String user = null;
        String uid = null;
        List<String> groups = new ArrayList<>();
        Map<String, List<String>> extra = new LinkedHashMap<>();
        boolean asked = false;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            List<String> values = header.getValue();
            if (!name.startsWith("impersonate-")) {
                continue;
            }
            asked = true;
            if (name.equals(USER)) {
                user = single(header.getKey(), values);
            } else if (name.equals(UID)) {
                uid = single(header.getKey(), values);
            } else if (name.equals(GROUP)) {
                groups.addAll(values);
            } else if (name.startsWith(EXTRA) && name.length() > EXTRA.length()) {
                extra.computeIfAbsent(extraKey(name.substring(EXTRA.length())), k -> new ArrayList<>())
                        .addAll(values);
            } else {
                throw new ApiException.BadRequest("unknown impersonation header " + header.getKey());
            }
        }
        if (!asked) {
            return context;
        }
        if (user == null || user.isEmpty()) {
            throw new ApiException.BadRequest(
                    "requested impersonation of groups, uid or extra attributes without impersonating a user");
        }
        UserInfo caller = context.user();
        if (user.startsWith(SERVICE_ACCOUNT_PREFIX) && user.split(":", -1).length == 4) {
            String[] parts = user.split(":", -1);
            allow(caller, "", "serviceaccounts", "", parts[2], parts[3]);
        } else {
            allow(caller, "", "users", "", "", user);
        }
        for (String group : groups) {
            allow(caller, "", "groups", "", "", group);
        }
        if (uid != null) {
            allow(caller, AUTHENTICATION_GROUP, "uids", "", "", uid);
        }
        for (Map.Entry<String, List<String>> entry : extra.entrySet()) {
            for (String value : entry.getValue()) {
                allow(caller, AUTHENTICATION_GROUP, "userextras", entry.getKey(), "", value);
            }
        }
        return context.impersonating(new UserInfo(user, uid == null ? "" : uid, withImplied(user, groups), extra));
    }

    /** The groups Kubernetes adds to an impersonated user: authenticated, and a service account's own groups. */
    private static List<String> withImplied(String user, List<String> groups) {
        List<String> all = new ArrayList<>(groups);
        if (user.startsWith(SERVICE_ACCOUNT_PREFIX) && user.split(":", -1).length == 4) {
            String namespace = user.split(":", -1)[2];
            addIfAbsent(all, "system:serviceaccounts");
            addIfAbsent(all, "system:serviceaccounts:" + namespace);
        }
        if (!user.equals(RequestContext.ANONYMOUS.name())) {
            addIfAbsent(all, "system:authenticated");
        }
        return all;
    }

    private static void addIfAbsent(List<String> groups, String group) {
        if (!groups.contains(group)) {
            groups.add(group);
        }
    }

    private void allow(
            UserInfo caller, String group, String resource, String subresource, String namespace, String name) {
        Authorizer.Decision decision = authorizer.authorize(new Authorizer.Request(
                caller, true, "impersonate", group, "", resource, subresource, namespace, name, ""));
        if (!decision.allowed()) {
            String qualified = group.isEmpty() ? resource : resource + "." + group;
            throw new ApiException.Forbidden(qualified + " \"" + name + "\" is forbidden: User \"" + caller.name()
                    + "\" cannot impersonate resource \"" + resource + (subresource.isEmpty() ? "" : "/" + subresource)
                    + "\" in API group \"" + group + "\""
                    + (namespace.isEmpty() ? " at the cluster scope" : " in the namespace \"" + namespace + "\"")
                    + (decision.reason().isEmpty() ? "" : ": " + decision.reason()));
        }
    }

    private static String single(String name, List<String> values) {
        if (values.size() != 1) {
            throw new ApiException.BadRequest("only one " + name + " header may be given");
        }
        return values.getFirst();
    }

    /** Extra keys travel percent-encoded (header names cannot hold every character) and are case-insensitive. */
    private static String extraKey(String encoded) {
        try {
            return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8)
                    .toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new ApiException.BadRequest("malformed impersonation extra key " + encoded);
        }
    }
}
