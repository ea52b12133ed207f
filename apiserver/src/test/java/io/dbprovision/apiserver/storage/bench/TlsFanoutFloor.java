package io.dbprovision.apiserver.storage.bench;

import io.dbprovision.apiserver.server.Pki;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The floor of a watch fan-out on this machine: what delivering one event to many TLS streams costs when nothing but
 * TLS and the sockets is in the way. A Netty server (two event-loop threads, as Undertow has two I/O threads here;
 * the JDK's TLS 1.3 with AES-128-GCM, as our server negotiates) writes each event's bytes to every connection —
 * the shape's number of copies per connection and one flush, as an HTTP/2 connection with that many watch
 * streams gathers its frames — and one client event-loop thread (as {@link NettyWatchDriver}) reads them. No HTTP,
 * no framing, no JSON, no store: a lower bound for the benchmark's watch rows, measured from the moment the event is
 * handed to the server's threads to the moment the client has each copy.
 *
 * <p>Run from the test class path (no Maven profile: it needs nothing but its class path):
 *
 * <pre>
 * ./build -o -q -pl proto,api,apiserver test-compile
 * ./build -q -pl apiserver org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * cd apiserver &amp;&amp; java -Xmx1g -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) \
 *     io.dbprovision.apiserver.storage.bench.TlsFanoutFloor
 * </pre>
 *
 * Properties: {@code floor.shapes} (connections×copies, default {@code 1000x1,10x100,100x1}), {@code floor.events}
 * (120), {@code floor.rate} (events per second, 10),
 * {@code floor.bytes} (per copy, 2,000: a watch event line of the benchmark's objects).
 */
public final class TlsFanoutFloor {
    private static final int SERVER_THREADS = 2;
    private static final String SERVER_THREAD = "floor-server";
    private static final String CLIENT_THREAD = "floor-client";

    private TlsFanoutFloor() {}

    public static void main(String[] args) throws Exception {
        int events = Integer.getInteger("floor.events", 120);
        int rate = Integer.getInteger("floor.rate", 10);
        int bytes = Integer.getInteger("floor.bytes", 2000);
        String shapes = System.getProperty("floor.shapes", "1000x1,10x100,100x1");
        Pki.Issued ca = Pki.newCa("floor-ca", Duration.ofDays(1));
        Pki.Issued serving =
                Pki.newServing(ca, "localhost", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        SslContext serverTls = SslContextBuilder.forServer(serving.key(), serving.certificate())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .ciphers(List.of("TLS_AES_128_GCM_SHA256"))
                .build();
        SslContext clientTls = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .trustManager(ca.certificate())
                .build();
        System.out.printf(
                "TLS fan-out floor: %d events at %d/s, %,d bytes per copy, server %d threads, client 1 thread%n",
                events, rate, bytes, SERVER_THREADS);
        Map<String, String> rows = new LinkedHashMap<>();
        for (String shape : shapes.split(",")) {
            String[] parts = shape.trim().split("x");
            int connections = Integer.parseInt(parts[0]);
            int perConnection = Integer.parseInt(parts[1]);
            // one untimed pass to warm the JIT, then the measured one
            run(serverTls, clientTls, connections, perConnection, Math.max(20, events / 4), rate * 2, bytes);
            rows.put(shape, run(serverTls, clientTls, connections, perConnection, events, rate, bytes));
        }
        System.out.println();
        System.out.println(
                "| connections × copies | deliveries | p50 / p99 / max (ms) | CPU per delivery, process (µs) | … server's threads / client's thread (µs) |");
        System.out.println("|---|---:|---:|---:|---:|");
        rows.forEach((shape, row) -> System.out.println("| " + shape + " | " + row + " |"));
    }

    private static String run(
            SslContext serverTls,
            SslContext clientTls,
            int connections,
            int perConnection,
            int events,
            int rate,
            int bytes)
            throws Exception {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                SERVER_THREADS, new DefaultThreadFactory(SERVER_THREAD), NioIoHandler.newFactory());
        EventLoopGroup clientLoop =
                new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(CLIENT_THREAD), NioIoHandler.newFactory());
        ConcurrentLinkedQueue<Channel> accepted = new ConcurrentLinkedQueue<>();
        int deliveries = events * connections * perConnection;
        long[] latencies = new long[deliveries];
        int[] received = new int[1];
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch handshakes = new CountDownLatch(connections);
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            SslHandler tls = serverTls.newHandler(channel.alloc());
                            tls.handshakeFuture().addListener(f -> {
                                if (f.isSuccess()) {
                                    accepted.add(channel);
                                    handshakes.countDown();
                                }
                            });
                            channel.pipeline().addLast(tls);
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
            Bootstrap client = new Bootstrap()
                    .group(clientLoop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline()
                                    .addLast(clientTls.newHandler(channel.alloc(), "localhost", port))
                                    .addLast(new Reader(bytes, latencies, received, deliveries, done));
                        }
                    });
            List<Channel> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                clients.add(client.connect("127.0.0.1", port).sync().channel());
            }
            if (!handshakes.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("handshakes did not finish");
            }
            // each server event loop writes to its own connections in one task per event, as WatchFanout does
            Map<EventLoop, List<Channel>> byLoop = new LinkedHashMap<>();
            accepted.forEach(c -> byLoop.computeIfAbsent(c.eventLoop(), k -> new ArrayList<>())
                    .add(c));
            double cpuBefore = processCpuNanos();
            long serverBefore = threadCpuNanos(SERVER_THREAD);
            long clientBefore = threadCpuNanos(CLIENT_THREAD);
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long next = System.nanoTime();
            for (int e = 0; e < events; e++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += period;
                long sent = System.nanoTime();
                ByteBuf event = Unpooled.directBuffer(bytes);
                event.writeLong(sent);
                event.writeZero(bytes - Long.BYTES);
                ByteBuf shared = Unpooled.unreleasableBuffer(event.asReadOnly());
                byLoop.forEach((loop, channels) -> loop.execute(() -> {
                    for (Channel channel : channels) {
                        for (int copy = 0; copy < perConnection; copy++) {
                            channel.write(shared.duplicate());
                        }
                        channel.flush();
                    }
                }));
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + received[0] + " of " + deliveries + " delivered");
            }
            double cpu = processCpuNanos() - cpuBefore;
            double serverCpu = threadCpuNanos(SERVER_THREAD) - serverBefore;
            double clientCpu = threadCpuNanos(CLIENT_THREAD) - clientBefore;
            clients.forEach(Channel::close);
            server.close().sync();
            long[] sorted = Arrays.copyOf(latencies, deliveries);
            Arrays.sort(sorted);
            return String.format(
                    "%,d | %.2f / %.2f / %.2f | %.1f | %.1f / %.1f",
                    deliveries,
                    sorted[deliveries / 2] / 1e6,
                    sorted[(int) (deliveries * 0.99)] / 1e6,
                    sorted[deliveries - 1] / 1e6,
                    cpu / 1e3 / deliveries,
                    serverCpu / 1e3 / deliveries,
                    clientCpu / 1e3 / deliveries);
        } finally {
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** CPU of the live threads whose names start with {@code prefix} (the event loops live through a run). */
    private static long threadCpuNanos(String prefix) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static double processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Cuts the stream into copies of {@code bytes} and records each one's latency; on the client's one thread. */
    private static final class Reader extends ChannelInboundHandlerAdapter {
        private final int bytes;
        private final long[] latencies;
        private final int[] received;
        private final int expected;
        private final CountDownLatch done;
        private long sent;
        private int inCopy;

        Reader(int bytes, long[] latencies, int[] received, int expected, CountDownLatch done) {
            this.bytes = bytes;
            this.latencies = latencies;
            this.received = received;
            this.expected = expected;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            ByteBuf in = (ByteBuf) message;
            try {
                while (in.isReadable()) {
                    // a copy starts with its send time; TLS records may cut anywhere, even inside it
                    while (inCopy < Long.BYTES && in.isReadable()) {
                        sent = (sent << 8) | in.readUnsignedByte();
                        inCopy++;
                    }
                    if (inCopy < Long.BYTES) {
                        break;
                    }
                    int take = Math.min(in.readableBytes(), bytes - inCopy);
                    in.skipBytes(take);
                    inCopy += take;
                    if (inCopy == bytes) {
                        int n = received[0]++;
                        if (n < latencies.length) {
                            latencies[n] = System.nanoTime() - sent;
                        }
                        inCopy = 0;
                        sent = 0;
                        if (n + 1 == expected) {
                            done.countDown();
                        }
                    }
                }
            } finally {
                in.release();
            }
        }
    }
}
