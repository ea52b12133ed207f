package io.dbprovision.apiserver.server;

import io.dbprovision.apiserver.audit.Audit;
import io.dbprovision.apiserver.audit.AuditIds;
import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.auth.AlwaysAllowGroupsAuthorizer;
import io.dbprovision.apiserver.auth.AlwaysAllowPathsAuthorizer;
import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.AuthenticatorChain;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.AuthorizerChain;
import io.dbprovision.apiserver.auth.ClientCertificateAuthenticator;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.StaticTokenAuthenticator;
import io.dbprovision.apiserver.auth.TokenFileAuthenticator;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.auth.delegated.DelegatedAuth;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.auth.rbac.BootstrapPolicy;
import io.dbprovision.apiserver.auth.rbac.RbacAuthorizer;
import io.dbprovision.apiserver.auth.rbac.RbacPolicy;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.pipeline.AuditFilter;
import io.dbprovision.apiserver.pipeline.Authentication;
import io.dbprovision.apiserver.pipeline.Authorization;
import io.dbprovision.apiserver.pipeline.Filter;
import io.dbprovision.apiserver.pipeline.Handler;
import io.dbprovision.apiserver.pipeline.Impersonation;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import io.dbprovision.proto.k8s.rbac.v1.Subject;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The request pipeline's filters alone — audit, authentication, impersonation, authorization — for a create of the
 * HTTP benchmark, with a router that answers 201 at once, in the benchmark's three modes interleaved in one JVM:
 * {@code masters} (the standalone admin's token, audit off), {@code rbac+audit} (a token file user bound by a
 * ClusterRoleBinding, the bootstrap policy, the audit log on) and {@code sar+audit} (the front proxy's client chain
 * and {@code X-Remote-*} headers, a cached SubjectAccessReview to a fake kube-apiserver, the audit log on). Prints, per
 * mode, the calling thread's CPU and allocation per request (median of the rounds) and the process CPU per request
 * (which includes the audit log's flusher, the JIT and the GC), and each mode's excess over masters, paired by round.
 * What it leaves out is the same in every mode: TLS, HTTP parsing, the body and the registry.
 *
 * <p>Arguments: rounds (15), requests per mode and round (20,000). After {@code ./build -o -q -pl
 * proto,api,provisioner,apiserver test-compile}, from {@code apiserver}:
 *
 * <pre>
 * ../build -o -q -pl apiserver org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.classpathScope=test \
 *     -Dexec.executable=java -Dexec.args="-Xms1g -Xmx1g -cp %classpath \
 *     io.dbprovision.apiserver.server.PipelineProfile 15 20000"
 * </pre>
 */
public final class PipelineProfile {
    private static final String PATH = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/bench-3/databaseinstances";
    private static final UserInfo ADMIN = new UserInfo("admin", "", List.of("system:masters"), Map.of());

    /** One mode: its filters and the headers its requests carry. */
    private record Mode(String name, Handler chain, List<Map.Entry<String, String>> headers) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path dir = Files.createTempDirectory("dbph-pipeline-profile");
        Clock clock = Clock.systemUTC();
        Handler router = (call, context) -> call.exchange().setStatusCode(201);

        RbacPolicy policy = benchPolicy();
        Authorizer standaloneAuthorizer = new AuthorizerChain(List.of(
                new AlwaysAllowGroupsAuthorizer(List.of("system:masters")),
                new AlwaysAllowPathsAuthorizer(List.of("/healthz", "/livez", "/readyz")),
                new RbacAuthorizer(() -> policy)));
        Path tokenFile = dir.resolve("users.csv");
        Files.writeString(tokenFile, "bench-user-token,bench-user,uid-bench-user,\"bench-writers\"\n");
        var ca = Pki.newCa("profile-ca", Duration.ofDays(1));
        Authenticator standalone = new AuthenticatorChain(List.of(
                new ClientCertificateAuthenticator(List.of(ca.certificate())),
                new StaticTokenAuthenticator(Map.of("admin-token", ADMIN)),
                TokenFileAuthenticator.read(tokenFile)));

        Mode masters = new Mode(
                "masters",
                chain(standalone, standaloneAuthorizer, RequestAuditor.NONE, List::of, clock, router),
                List.of(Map.entry("Authorization", "Bearer admin-token")));

        try (Audit rbacAudit = Audit.from(AuditOptions.defaults()
                        .withLogPath(dir.resolve("rbac/audit.log").toString()));
                Audit sarAudit = Audit.from(AuditOptions.defaults()
                        .withLogPath(dir.resolve("sar/audit.log").toString()));
                FakeKubeApiServer cluster = FakeKubeApiServer.start("profile-caller")) {
            Mode rbac = new Mode(
                    "rbac+audit",
                    chain(standalone, standaloneAuthorizer, new AuditRecorder(rbacAudit), List::of, clock, router),
                    List.of(Map.entry("Authorization", "Bearer bench-user-token")));

            cluster.answerSubjectAccessReviews(spec -> FakeKubeApiServer.SarAnswer.allow(
                    "RBAC: allowed by ClusterRoleBinding \"bench\" of ClusterRole \"bench\" to User \"bench-user\""));
            Path kubeconfig = Files.move(
                    cluster.writeKubeconfig(dir.resolve("kubeconfig.d"), "profile-caller"),
                    dir.resolve("cluster.kubeconfig"));
            var proxyCa = Pki.newCa("profile-front-proxy-ca", Duration.ofDays(1));
            proxyCa.write(dir.resolve("front-proxy-ca.crt"), dir.resolve("front-proxy-ca.key"));
            var proxy = Pki.newClient(proxyCa, "front-proxy-client", List.of(), Duration.ofDays(1));
            List<X509Certificate> proxyChain = List.of(proxy.certificate());
            try (DelegatedAuth delegated = DelegatedAuth.start(DelegatedOptions.builder()
                    .kubeconfig(kubeconfig)
                    .authenticationSkipLookup(true)
                    .requestheaderClientCaFile(Optional.of(dir.resolve("front-proxy-ca.crt")))
                    .requestheaderAllowedNames(List.of("front-proxy-client"))
                    .build())) {
                Authenticator inner = delegated.authenticator();
                // the exchanges here have no TLS connection: hand the front proxy's chain in as the session would
                Authenticator frontProxy = credentials -> inner.authenticate(
                        new Credentials(proxyChain, credentials.bearerToken(), credentials.headers()));
                List<String> stripped = Stream.concat(
                                Stream.of(
                                        "authorization",
                                        "x-remote-user",
                                        "x-remote-uid",
                                        "x-remote-group",
                                        "x-remote-extra-"),
                                delegated.requestHeaderNamesAndPrefixes().stream())
                        .distinct()
                        .toList();
                Mode sar = new Mode(
                        "sar+audit",
                        chain(
                                frontProxy,
                                delegated.authorizer(),
                                new AuditRecorder(sarAudit),
                                () -> stripped,
                                clock,
                                router),
                        List.of(
                                Map.entry("X-Remote-User", "bench-user"),
                                Map.entry("X-Remote-Group", "bench-writers"),
                                Map.entry("X-Remote-Group", "system:authenticated")));
                run(List.of(masters, rbac, sar), rounds, requests, clock);
            }
        } finally {
            deleteRecursively(dir); // the audit logs of a run are hundreds of MiB
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void run(List<Mode> modes, int rounds, int requests, Clock clock) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int n = modes.size();
        double[][] threadCpu = new double[n][rounds];
        double[][] processCpu = new double[n][rounds];
        double[][] allocated = new double[n][rounds];
        for (int warm = 0; warm < 3; warm++) {
            for (Mode mode : modes) {
                batch(mode, requests, clock);
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < n; k++) {
                int m = (round + k) % n; // each mode in each position as often
                long tid = Thread.currentThread().threadId();
                long cpu0 = threads.getCurrentThreadCpuTime();
                long process0 = os.getProcessCpuTime();
                long bytes0 = threads.getThreadAllocatedBytes(tid);
                batch(modes.get(m), requests, clock);
                threadCpu[m][round] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / requests;
                processCpu[m][round] = (os.getProcessCpuTime() - process0) / 1e3 / requests;
                allocated[m][round] = (double) (threads.getThreadAllocatedBytes(tid) - bytes0) / requests;
            }
        }
        System.out.printf(
                "%-12s %14s %14s %14s %16s %16s%n",
                "mode", "thread µs/req", "process µs/req", "bytes/req", "+thread µs (Δ)", "+process µs (Δ)");
        for (int m = 0; m < n; m++) {
            System.out.printf(
                    "%-12s %14.2f %14.2f %14.0f %16.2f %16.2f%n",
                    modes.get(m).name(),
                    median(threadCpu[m]),
                    median(processCpu[m]),
                    median(allocated[m]),
                    median(difference(threadCpu[m], threadCpu[0])),
                    median(difference(processCpu[m], processCpu[0])));
        }
    }

    private static void batch(Mode mode, int requests, Clock clock) {
        for (int i = 0; i < requests; i++) {
            HttpServerExchange exchange = new HttpServerExchange(null);
            exchange.setRequestMethod(Methods.POST);
            exchange.setRequestURI(PATH);
            exchange.setRequestPath(PATH);
            exchange.setRelativePath(PATH);
            var headers = exchange.getRequestHeaders();
            headers.put(new HttpString("User-Agent"), "Java-http-client/25.0.3");
            headers.put(new HttpString("Content-Type"), "application/json");
            headers.put(new HttpString("Content-Length"), "612");
            for (Map.Entry<String, String> header : mode.headers()) {
                headers.add(new HttpString(header.getKey()), header.getValue());
            }
            Call call = new Call(exchange);
            RequestInfo info = RequestInfo.parse(call.method(), call.path(), call.watchRequested());
            RequestContext context = RequestContext.arriving(
                    info,
                    AuditIds.forRequest(call.header(AuditIds.HEADER)),
                    clock.instant(),
                    "127.0.0.1",
                    call.header("User-Agent"));
            call.setHeader("Audit-Id", context.auditId());
            mode.chain().handle(call, context);
            if (exchange.getStatusCode() != 201) {
                throw new IllegalStateException(mode.name() + ": answered " + exchange.getStatusCode());
            }
        }
    }

    private static Handler chain(
            Authenticator authenticator,
            Authorizer authorizer,
            RequestAuditor auditor,
            java.util.function.Supplier<List<String>> stripped,
            Clock clock,
            Handler router) {
        return Filter.chain(
                List.of(
                        new AuditFilter(auditor, clock),
                        new Authentication(authenticator, false, Set.of("/healthz"), stripped),
                        AuditFilter.actingAs(),
                        new Impersonation(authorizer),
                        AuditFilter.actingAs(),
                        new Authorization(authorizer)),
                router);
    }

    /** The bootstrap policy and the benchmark's ClusterRole and ClusterRoleBinding for its user. */
    private static RbacPolicy benchPolicy() {
        List<ClusterRole> roles = new ArrayList<>(BootstrapPolicy.clusterRoles());
        roles.add(ClusterRole.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("bench-databaseinstances"))
                .addRules(PolicyRule.newBuilder()
                        .addApiGroups("dbops.dbprovision.io")
                        .addResources("databaseinstances")
                        .addAllVerbs(List.of("create", "get", "list", "watch")))
                .build());
        List<ClusterRoleBinding> bindings = new ArrayList<>(BootstrapPolicy.clusterRoleBindings());
        bindings.add(ClusterRoleBinding.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("bench-databaseinstances"))
                .setRoleRef(RoleRef.newBuilder()
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setKind("ClusterRole")
                        .setName("bench-databaseinstances"))
                .addSubjects(Subject.newBuilder()
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setKind("User")
                        .setName("bench-user"))
                .build());
        return RbacPolicy.of(List.of(), roles, List.of(), bindings);
    }

    private static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
