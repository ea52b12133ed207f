package io.dbprovision.apiserver.server;

import io.dbprovision.apiserver.pipeline.Filter;
import io.dbprovision.apiserver.pipeline.Handler;
import io.dbprovision.apiserver.pipeline.RequestPipeline;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTPS listener ({@link ApiServer}, the request pipeline, TLS from a fresh CA) in front of a handler a test
 * writes, with timeouts a test can wait for.
 */
final class TestListener implements AutoCloseable {
    final Pki.Issued ca = Pki.newCa("test-ca", Duration.ofDays(1));
    final ApiServer server;

    TestListener(List<Filter> filters, Handler handler, ApiServer.Timeouts timeouts, Duration bodyTimeout) {
        Pki.Issued serving = Pki.newServing(ca, "test", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        server = new ApiServer(
                "127.0.0.1",
                0,
                ServerTls.context(serving, List.of(ca.certificate()), List.of(ca.certificate())),
                new RequestPipeline(filters, handler, Clock.systemUTC(), bodyTimeout),
                () -> {},
                timeouts);
        server.start();
    }

    int port() {
        return server.port();
    }

    /** A client context that trusts the test CA. */
    SSLContext clientTls() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @Override
    public void close() {
        server.close();
    }
}
