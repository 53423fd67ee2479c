package dev.llmproxy.bench.load;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * A loopback HTTP/1.1 keep-alive load generator built for low overhead: requests are precomputed bytes, responses are
 * framed by a minimal scanner (no HTTP objects, no aggregation), and each connection lives on one event loop (epoll
 * when available). Runs are bounded: warm-up + measurement + drain timeout, plus 10 s to connect.
 *
 * <p>Thread-safety: the {@code run} methods block the caller and may be called from one thread at a time; results are
 * owned by the caller. Close the generator to stop its event loops.
 */
public final class LoadGenerator implements AutoCloseable {

    private static final long SLACK_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final LoadGeneratorConfig config;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final String transport;

    private LoadGenerator(LoadGeneratorConfig config) {
        this.config = config;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(), factory);
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.transport = epoll ? "epoll" : "nio";
    }

    /** Starts the event loops. */
    public static LoadGenerator start(LoadGeneratorConfig config) {
        return new LoadGenerator(requireNonNull(config, "config"));
    }

    /** The socket transport in use: {@code "epoll"} or {@code "nio"}. */
    public String transport() {
        return transport;
    }

    /**
     * Runs a closed loop and blocks until it ends.
     *
     * @throws IllegalStateException if the target cannot be reached or the run overruns its bounds
     */
    public ClosedLoopResult run(ClosedLoopPlan plan) {
        List<ClosedLoopLane> lanes = runLanes(plan.request(), plan.connections(), plan.warmup(), plan.measure(),
                (settings, connections, index, count) -> new ClosedLoopLane(settings, connections));
        Histogram latency = Histograms.newMicros();
        long completed = 0;
        long errors = 0;
        for (ClosedLoopLane lane : lanes) {
            latency.add(lane.latencyMicros);
            completed += lane.completed;
            errors += lane.errors;
        }
        return new ClosedLoopResult(plan.connections(), completed, errors, plan.measure(), latency);
    }

    /**
     * Runs an open loop at a constant rate and blocks until it ends.
     *
     * @throws IllegalStateException if the target cannot be reached or the run overruns its bounds
     */
    public OpenLoopResult run(OpenLoopPlan plan) {
        List<OpenLoopLane> lanes = runLanes(plan.request(), plan.connections(), plan.warmup(), plan.measure(),
                (settings, connections, index, count) -> {
                    long period = 1_000_000_000L * count / plan.ratePerSecond();
                    return new OpenLoopLane(settings, connections, period, period * index / count);
                });
        Histogram latency = Histograms.newMicros();
        Histogram service = Histograms.newMicros();
        long scheduled = 0;
        long completed = 0;
        long errors = 0;
        long rateLimited = 0;
        long incomplete = 0;
        int maxBacklog = 0;
        for (OpenLoopLane lane : lanes) {
            latency.add(lane.latencyMicros);
            service.add(lane.serviceMicros);
            scheduled += lane.scheduled;
            completed += lane.completed;
            errors += lane.errors;
            rateLimited += lane.rateLimited;
            incomplete += lane.incomplete;
            maxBacklog = Math.max(maxBacklog, lane.maxBacklog);
        }
        return new OpenLoopResult(plan.ratePerSecond(), plan.connections(), scheduled, completed, errors,
                rateLimited, incomplete, maxBacklog, latency, service);
    }

    /**
     * Runs concurrent SSE streams and blocks until they end.
     *
     * @throws IllegalStateException if the target cannot be reached or the run overruns its bounds
     */
    public StreamResult run(StreamPlan plan) {
        long stagger = plan.upstreamInterval().toNanos() * plan.expectedEvents() / plan.streams();
        List<StreamLane> lanes = runLanes(plan.request(), plan.streams(), plan.warmup(), plan.measure(),
                (settings, connections, index, count) ->
                        new StreamLane(settings, connections, plan, stagger * index, stagger * count));
        Histogram first = Histograms.newMicros();
        Histogram gap = Histograms.newMicros();
        long completed = 0;
        long paced = 0;
        long shortStreams = 0;
        long errors = 0;
        long incomplete = 0;
        int maxPerRead = 0;
        for (StreamLane lane : lanes) {
            first.add(lane.firstEventMicros);
            gap.add(lane.largestGapMicros);
            completed += lane.completed;
            paced += lane.paced;
            shortStreams += lane.shortStreams;
            errors += lane.errors;
            incomplete += lane.incomplete;
            maxPerRead = Math.max(maxPerRead, lane.maxEventsPerRead);
        }
        ChunkDelays delays = ChunkDelays.of(lanes.stream().map(lane -> lane.chunks).toList(),
                plan.upstreamInterval().toNanos());
        long unbuffered = delays.isStamped() ? delays.streams() - delays.heldStreams() : paced;
        return new StreamResult(plan.streams(), completed, unbuffered, paced, shortStreams, errors, incomplete,
                maxPerRead, first, gap, delays);
    }

    /** Stops the event loops and waits up to 5 s for them to terminate. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private <L extends Lane> List<L> runLanes(RequestTemplate request, int connections, Duration warmup,
            Duration measure, LaneFactory<L> factory) {
        int count = Math.min(config.eventLoopThreads(), connections);
        List<L> lanes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            EventLoop loop = group.next();
            Bootstrap bootstrap = new Bootstrap().group(loop).channel(channelType)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
            LaneSettings settings = new LaneSettings(loop, bootstrap, config.ticker(), request, warmup.toNanos(),
                    measure.toNanos(), config.drainTimeout().toNanos());
            int share = connections / count + (i < connections % count ? 1 : 0);
            lanes.add(factory.create(settings, share, i, count));
        }
        lanes.forEach(Lane::start);
        long bound = warmup.toNanos() + measure.toNanos() + config.drainTimeout().toNanos() + SLACK_NANOS;
        CompletableFuture<?>[] done = lanes.stream().map(Lane::done).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(done).get(bound, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running against " + request, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("run against " + request + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("run against " + request + " overran " + Duration.ofNanos(bound), e);
        }
        return lanes;
    }

    @FunctionalInterface
    private interface LaneFactory<L extends Lane> {
        L create(LaneSettings settings, int connections, int index, int count);
    }
}
