package io.dbprovision.apiserver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * An HTTPS client for tests of a server's TLS-level authentication: it trusts one CA, and presents a client
 * certificate (or none) whatever issuers the server advertises — unlike JSSE's own key manager, which holds a
 * certificate back when its CA is not advertised — so tests can knock with a foreign certificate. It records the
 * issuers each handshake's certificate request advertised, which is what decides whether a Go client (the
 * kube-aggregator) sends its certificate at all. One connection pool per instance: a new instance, a new handshake.
 */
public final class TlsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final List<List<Principal>> advertised = new CopyOnWriteArrayList<>();

    /** An answer: the code, the body and the server's certificate chain. */
    public record Response(int code, String body, List<X509Certificate> serverChain) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        @Override
        public String toString() {
            return code + " " + body;
        }
    }

    private TlsClient(X509Certificate trustedCa, Optional<Pki.Issued> certificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trustedCa);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(
                    new X509ExtendedKeyManager[] {new AlwaysPresent(certificate, advertised)},
                    trustManagers.getTrustManagers(),
                    null);
            this.client = HttpClient.newBuilder()
                    .sslContext(tls)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** No client certificate. */
    public static TlsClient anonymous(X509Certificate trustedCa) {
        return new TlsClient(trustedCa, Optional.empty());
    }

    /** Presents {@code certificate} on every handshake. */
    public static TlsClient presenting(X509Certificate trustedCa, Pki.Issued certificate) {
        return new TlsClient(trustedCa, Optional.of(certificate));
    }

    public Response get(String url, List<Map.Entry<String, String>> headers) {
        return send("GET", url, headers, null);
    }

    public Response get(String url) {
        return get(url, List.of());
    }

    /** {@code headers} in order; a name may repeat (one line per value, as the aggregator sends groups). */
    public Response send(String method, String url, List<Map.Entry<String, String>> headers, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        jsonBody == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(header -> request.header(header.getKey(), header.getValue()));
        try {
            HttpResponse<String> response =
                    client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            List<X509Certificate> chain = new ArrayList<>();
            response.sslSession().ifPresent(session -> {
                try {
                    for (var certificate : session.getPeerCertificates()) {
                        chain.add((X509Certificate) certificate);
                    }
                } catch (SSLPeerUnverifiedException e) {
                    throw new AssertionError(e);
                }
            });
            return new Response(response.statusCode(), response.body(), chain);
        } catch (IOException e) {
            throw new AssertionError(method + " " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The issuers the server's certificate request advertised, one list per handshake, oldest first. */
    public List<List<Principal>> advertisedIssuers() {
        return List.copyOf(advertised);
    }

    @Override
    public void close() {
        client.close();
    }

    /** Offers the one certificate (if any) whatever is advertised, and remembers what was. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final Optional<Pki.Issued> certificate;
        private final List<List<Principal>> advertised;

        AlwaysPresent(Optional<Pki.Issued> certificate, List<List<Principal>> advertised) {
            this.certificate = certificate;
            this.advertised = advertised;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return choose(issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return choose(issuers);
        }

        private String choose(Principal[] issuers) {
            advertised.add(issuers == null ? List.of() : List.of(issuers));
            return certificate.isPresent() ? "client" : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return certificate.isPresent() ? new String[] {"client"} : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return certificate.map(c -> new X509Certificate[] {c.certificate()}).orElse(null);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return certificate.map(Pki.Issued::key).orElse(null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
