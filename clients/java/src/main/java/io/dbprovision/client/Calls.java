package io.dbprovision.client;

import io.dbprovision.client.errors.Errors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How the facade makes calls: on one channel, unary calls with a deadline, streams (watches, RequestDatabase) with
 * one only when asked, every failure turned into a {@link io.dbprovision.client.errors.DbProvisionException}.
 * Immutable; {@link #withUnaryTimeout} and {@link #withStreamTimeout} give changed copies on the same channel.
 */
final class Calls {
    private final Channel channel;
    private final CallOptions options;
    private final Duration unaryTimeout;
    private final Optional<Duration> streamTimeout;

    Calls(Channel channel, CallOptions options, Duration unaryTimeout, Optional<Duration> streamTimeout) {
        this.channel = channel;
        this.options = options;
        this.unaryTimeout = unaryTimeout;
        this.streamTimeout = streamTimeout;
    }

    Calls withUnaryTimeout(Duration timeout) {
        return new Calls(channel, options, timeout, streamTimeout);
    }

    Calls withStreamTimeout(Optional<Duration> timeout) {
        return new Calls(channel, options, unaryTimeout, timeout);
    }

    Calls withOptions(CallOptions changed) {
        return new Calls(channel, changed, unaryTimeout, streamTimeout);
    }

    Duration unaryTimeout() {
        return unaryTimeout;
    }

    Optional<Duration> streamTimeout() {
        return streamTimeout;
    }

    <Q, R> R unary(MethodDescriptor<Q, R> method, Q request) {
        try {
            return ClientCalls.blockingUnaryCall(
                    channel, method, deadlined(options, Optional.of(unaryTimeout)), request);
        } catch (StatusRuntimeException e) {
            throw Errors.from(e);
        }
    }

    /** A server stream read by blocking; {@link Stream#close()} cancels it. */
    <Q, R> Stream<R> stream(MethodDescriptor<Q, R> method, Q request) {
        ClientCall<Q, R> call = channel.newCall(method, deadlined(options, streamTimeout));
        Iterator<R> responses;
        try {
            responses = ClientCalls.blockingServerStreamingCall(call, request);
        } catch (StatusRuntimeException e) {
            throw Errors.from(e);
        }
        return new Stream<>(call, responses);
    }

    /** A server stream delivered to {@code observer} on gRPC's threads; the returned call cancels it. */
    <Q, R> ClientCall<Q, R> observe(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> observer) {
        ClientCall<Q, R> call = channel.newCall(method, deadlined(options, streamTimeout));
        ClientCalls.asyncServerStreamingCall(call, request, observer);
        return call;
    }

    private static CallOptions deadlined(CallOptions options, Optional<Duration> timeout) {
        return timeout.map(t -> options.withDeadlineAfter(t.toNanos(), TimeUnit.NANOSECONDS))
                .orElse(options);
    }

    /** The messages of one server stream; failures come out of {@link #hasNext()} as typed exceptions. */
    static final class Stream<R> implements Iterator<R>, AutoCloseable {
        private final ClientCall<?, R> call;
        private final Iterator<R> responses;

        private Stream(ClientCall<?, R> call, Iterator<R> responses) {
            this.call = call;
            this.responses = responses;
        }

        @Override
        public boolean hasNext() {
            try {
                return responses.hasNext();
            } catch (StatusRuntimeException e) {
                throw Errors.from(e);
            }
        }

        @Override
        public R next() {
            try {
                return responses.next();
            } catch (StatusRuntimeException e) {
                throw Errors.from(e);
            }
        }

        @Override
        public void close() {
            call.cancel("closed by the client", null);
        }
    }
}
