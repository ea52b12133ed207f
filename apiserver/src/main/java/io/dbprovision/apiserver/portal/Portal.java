package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.pipeline.Impersonation;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.SubresourceReader;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The portal gRPC API put together over a server's registry and its request pipeline's parts — the same
 * authenticator, authorizer, audit and registry (with its admission) as the REST API — and started on its own port.
 * The server assembly makes one when a portal port is configured.
 */
public final class Portal {
    /** Where to listen: {@code port} 0 picks a free one. */
    public record Listen(String host, int port, PortalServer.Limits limits) {
        public static Listen on(String host, int port) {
            return new Listen(host, port, PortalServer.Limits.DEFAULTS);
        }
    }

    /** What the portal takes from the server. */
    public record Parts(
            Registry registry,
            Authenticator authenticator,
            Authorizer authorizer,
            boolean anonymous,
            RequestAuditor auditor,
            Clock clock,
            Plans plans,
            Optional<SubresourceReader> credentials) {}

    private Portal() {}

    /** Starts the portal on {@code listen} with the serving TLS context of the HTTPS listener. */
    public static PortalServer start(Listen listen, SSLContext tls, Parts parts) {
        Operations operations = new Operations(parts.authorizer(), parts.auditor(), parts.clock());
        Watches watches = new Watches();
        CallerInterceptor callers = new CallerInterceptor(
                parts.authenticator(),
                new Impersonation(parts.authorizer()),
                parts.anonymous(),
                parts.auditor(),
                parts.clock());
        MessageSizeLimit sizeLimit =
                new MessageSizeLimit(listen.limits().maxMessageBytes(), parts.auditor(), parts.clock());
        List<ServerServiceDefinition> services = new ArrayList<>();
        // The last interceptor runs first: the caller is known before a message's size is looked at.
        for (ServerServiceDefinition service : KindServices.all(parts.registry(), operations, watches, parts.plans())) {
            services.add(ServerInterceptors.intercept(service, sizeLimit, callers));
        }
        Connections connections = new Connections(parts.registry(), parts.credentials(), operations);
        services.add(ServerInterceptors.intercept(
                new PortalCalls(parts.registry(), operations, connections, parts.plans()).bindService(),
                sizeLimit,
                callers));
        return new PortalServer(listen.host(), listen.port(), tls, services, listen.limits(), watches::close).start();
    }
}
