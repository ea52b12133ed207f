package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;

/**
 * May this user do what the request asks? The authorizer answers for the request's attributes, as a
 * SubjectAccessReview describes them; a refusal is 403 with Kubernetes' message. The decision and its reason go to
 * the audit record.
 */
public final class Authorization implements Filter {
    public static final String DECISION = "authorization.k8s.io/decision";
    public static final String REASON = "authorization.k8s.io/reason";

    private final Authorizer authorizer;

    public Authorization(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public void handle(Call call, RequestContext context, Handler next) {
        check(authorizer, context);
        next.handle(call, context);
    }

    /**
     * Authorizes what {@code context} names for its user, notes the decision for the audit record and throws 403
     * unless allowed: the one check of every front (REST here, the portal's gRPC calls for each registry operation).
     */
    public static void check(Authorizer authorizer, RequestContext context) {
        RequestInfo info = context.info();
        Authorizer.Decision decision = authorizer.authorize(attributes(context.user(), info));
        context.annotate(DECISION, decision.allowed() ? "allow" : "forbid");
        if (!decision.reason().isEmpty()) {
            context.annotate(REASON, decision.reason());
        }
        if (!decision.allowed()) {
            throw new ApiException.Forbidden(forbiddenMessage(context.user(), info, decision.reason()));
        }
    }

    /** The attributes a request is authorized on. */
    public static Authorizer.Request attributes(UserInfo user, RequestInfo info) {
        return new Authorizer.Request(
                user,
                info.resourceRequest(),
                info.verb(),
                info.group(),
                info.version(),
                info.resource(),
                info.subresource(),
                info.namespace(),
                info.name(),
                info.path());
    }

    /** Kubernetes' wording: {@code databases.dbops.dbprovision.io "x" is forbidden: User "u" cannot get …}. */
    static String forbiddenMessage(UserInfo user, RequestInfo info, String reason) {
        String message;
        if (info.resourceRequest()) {
            String resource =
                    info.subresource().isEmpty() ? info.resource() : info.resource() + "/" + info.subresource();
            String what = info.resource()
                    + (info.group().isEmpty() ? "" : "." + info.group())
                    + (info.name().isEmpty() ? "" : " \"" + info.name() + "\"");
            message = what + " is forbidden: User \"" + user.name() + "\" cannot " + info.verb() + " resource \""
                    + resource + "\" in API group \"" + info.group() + "\""
                    + (info.namespace().isEmpty()
                            ? " at the cluster scope"
                            : " in the namespace \"" + info.namespace() + "\"");
        } else {
            message = "forbidden: User \"" + user.name() + "\" cannot " + info.verb() + " path \"" + info.path() + "\"";
        }
        return message + (reason.isEmpty() ? "" : ": " + reason);
    }
}
