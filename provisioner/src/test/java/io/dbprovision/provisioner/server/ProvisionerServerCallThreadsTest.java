package io.dbprovision.provisioner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.StringValue;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which threads run what: calls on the call threads, health checks on the transport's thread. */
class ProvisionerServerCallThreadsTest {
    private static final MethodDescriptor<StringValue, StringValue> WAIT =
            MethodDescriptor.<StringValue, StringValue>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("dbprovision.test.Threads/Wait")
                    .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
                    .build();

    @Test
    void callsRunOnCallThreadsAndAHealthCheckIsAnsweredWhileEveryCallThreadIsBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ServerServiceDefinition waiting = ServerServiceDefinition.builder("dbprovision.test.Threads")
                .addMethod(WAIT, ServerCalls.asyncUnaryCall((request, out) -> {
                    String thread = Thread.currentThread().getName();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    out.onNext(StringValue.of(thread));
                    out.onCompleted();
                }))
                .build();
        ProvisionerServer server = ProvisionerServer.builder()
                .port(0)
                .bindAddress("127.0.0.1")
                .insecure()
                .shutdownGrace(java.time.Duration.ofSeconds(1))
                .service(() -> waiting)
                .build()
                .start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
        try {
            // More calls than call threads: every one is busy and some calls wait for one.
            List<Future<StringValue>> calls = new ArrayList<>();
            for (int i = 0; i < ProvisionerServer.CallThreads.MAXIMUM_CALL_THREADS + 4; i++) {
                calls.add(ClientCalls.futureUnaryCall(
                        channel.newCall(WAIT, io.grpc.CallOptions.DEFAULT), StringValue.of("wait")));
            }
            ServingStatus status = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus();
            assertThat(status).isEqualTo(ServingStatus.SERVING);
            release.countDown();
            for (Future<StringValue> call : calls) {
                assertThat(call.get(30, TimeUnit.SECONDS).getValue()).startsWith("provisioner-call-");
            }
        } finally {
            release.countDown();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdown();
        }
    }
}
