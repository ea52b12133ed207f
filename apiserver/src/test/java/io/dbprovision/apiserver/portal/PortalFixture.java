package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;

import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * What the portal API tests share: a standalone server with its portal on a free port and its reconcilers off (they
 * check the API, not convergence), channels to it, and the Databases they create. Closing it closes both.
 */
final class PortalFixture implements AutoCloseable {
    final StandaloneServer server;
    final PortalChannels channels;
    /** TLS, trusting the server's CA, with no credentials of its own. */
    final ManagedChannel channel;

    private PortalFixture(StandaloneServer server) {
        this.server = server;
        this.channels = new PortalChannels(server.portalPort().orElseThrow(), server.caCertificate());
        this.channel = channels.anonymous();
    }

    /** A server keeping its data in {@code work}/data, with {@code more} options than the fixture's (audit, …). */
    static PortalFixture start(Path work, UnaryOperator<StandaloneServer.Options> more) {
        return new PortalFixture(StandaloneServer.start(
                more.apply(StandaloneServer.Options.of(work.resolve("data"), "127.0.0.1", 0, false)
                        .withoutReconcilers()
                        .withPortal("127.0.0.1", 0))));
    }

    /** The Databases service as the admin. */
    DatabasesServiceGrpc.DatabasesServiceBlockingStub databases() {
        return bearer(DatabasesServiceGrpc.newBlockingStub(channel), server.adminToken());
    }

    /** A Database on instance pg that may be deleted, labelled suite={@code suite} for the test's list selectors. */
    static Database database(String name, String suite) {
        return Database.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName(name).putLabels("suite", suite))
                .setSpec(DatabaseSpec.newBuilder()
                        .setInstanceRef(InstanceReference.newBuilder().setName("pg"))
                        .setDeletionProtection(false))
                .build();
    }

    @Override
    public void close() {
        channels.close();
        server.close();
    }
}
