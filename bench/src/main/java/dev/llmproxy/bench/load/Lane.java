package dev.llmproxy.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * A lane is the share of one run that lives on one event loop: its connections, its schedule and its histograms.
 * Everything below is confined to that loop, so there are no locks or volatiles; the caller reads the results only
 * after `done` completes, which publishes them (CompletableFuture completion happens-before join()).
 *
 * Timeline (ticker nanos): connect all -> begin() at runStart -> warm-up -> [measureStart, measureEnd) -> drain until
 * every request finished or measureEnd + drain timeout, whichever comes first -> finish(). Subclasses decide what a
 * response, an event or a lost connection means for their metrics, and what "quiescent" means.
 */

/**
 * The part of a load run that runs on one event loop.
 *
 * <p>Thread-safety: confined to {@link #loop}; only {@link #start()} and {@link #done()} may be called from other
 * threads. ByteBuf ownership: the lane owns its request buffers (one per request of a rotating template, slices of one
 * direct buffer) from begin to {@link #finish}, where it releases them; connections write retained duplicates.
 */
abstract class Lane {

    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Ticker ticker;
    private final RequestTemplate request;
    private final int connectionCount;
    /** The shape of the streams whose events are reported; null when responses are not streams. */
    private final @Nullable StreamShape streamShape;
    private final long warmupNanos;
    private final long measureNanos;
    private final long drainNanos;
    private final int maxReconnects;
    private final CompletableFuture<Lane> done = new CompletableFuture<>();
    final List<LoadConnection> connections = new ArrayList<>();
    private @Nullable ByteBuf requestBuffer;
    private ByteBuf[] requestSlices = new ByteBuf[0];
    private int nextRequest;
    private int connected;
    private int reconnects;
    private boolean begun;
    private boolean finished;
    long runStart;
    long measureStart;
    long measureEnd;

    Lane(LaneSettings settings, int connectionCount, @Nullable StreamShape streamShape) {
        this.loop = settings.loop();
        this.bootstrap = settings.bootstrap();
        this.ticker = settings.ticker();
        this.request = settings.request();
        this.warmupNanos = settings.warmupNanos();
        this.measureNanos = settings.measureNanos();
        this.drainNanos = settings.drainNanos();
        this.connectionCount = connectionCount;
        this.streamShape = streamShape;
        this.maxReconnects = 16 + 4 * connectionCount;
    }

    /** Connects and runs the lane; returns at once. */
    final void start() {
        loop.execute(this::connectAll);
    }

    /** Completes with this lane when it finished, or exceptionally if it could not connect. */
    final CompletableFuture<Lane> done() {
        return done;
    }

    final Ticker ticker() {
        return ticker;
    }

    /**
     * The next precomputed request (the only one unless the template rotates), owned by the lane; write a retained
     * duplicate.
     */
    final ByteBuf requestBuffer() {
        if (requestBuffer == null) {
            throw new IllegalStateException("lane not running");
        }
        ByteBuf buf = requestSlices[nextRequest];
        nextRequest = nextRequest + 1 == requestSlices.length ? 0 : nextRequest + 1;
        return buf;
    }

    final boolean isMeasuring(long nanos) {
        return nanos >= measureStart && nanos < measureEnd;
    }

    /** Called once when every connection is up; starts the workload. */
    abstract void onBegin(long now);

    /** A connection opened after {@link #onBegin} (a reconnect) is ready for work. */
    abstract void onReconnected(LoadConnection connection, long now);

    /** A response completed on {@code connection}; it is idle again. */
    abstract void onResponse(LoadConnection connection, int status, long now);

    /**
     * {@code count} SSE content events arrived in one read on {@code connection}; {@code events} has their send
     * stamps.
     */
    void onEvents(LoadConnection connection, SseEventScanner events, int count, long now) {
    }

    /** {@code connection} closed before the lane finished; {@code lost}: whether a request was in flight on it. */
    abstract void onClosed(LoadConnection connection, boolean lost, long now);

    /** Whether no request is pending or in flight, so that the lane may finish once the measurement ended. */
    abstract boolean isQuiescent();

    /** Accounts for what is still pending or in flight at the drain deadline. */
    abstract void onDrainTimeout(long now);

    /** Finishes the lane as soon as nothing is left to wait for after the measurement window. */
    final void finishIfQuiescent(long now) {
        if (!finished && now >= measureEnd && isQuiescent()) {
            finish();
        }
    }

    final void onConnectionClosed(LoadConnection connection, boolean lost, long now) {
        connections.remove(connection);
        if (finished) {
            return;
        }
        onClosed(connection, lost, now);
        if (begun && now < measureEnd && reconnects < maxReconnects) {
            reconnects++;
            connect();
        }
        finishIfQuiescent(now);
    }

    private void connectAll() {
        int total = 0;
        for (int i = 0; i < request.variantCount(); i++) {
            total += request.bytes(i).length;
        }
        ByteBuf all = ByteBufAllocator.DEFAULT.directBuffer(total);
        requestSlices = new ByteBuf[request.variantCount()];
        for (int i = 0; i < requestSlices.length; i++) {
            byte[] bytes = request.bytes(i);
            requestSlices[i] = all.slice(all.writerIndex(), bytes.length);
            all.writeBytes(bytes);
        }
        requestBuffer = all;
        for (int i = 0; i < connectionCount; i++) {
            connect();
        }
        loop.schedule(() -> {
            if (!begun) {
                fail(new IllegalStateException("could not connect " + connectionCount + " connections to "
                        + request.address() + " within 10 s"));
            }
        }, CONNECT_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
    }

    private void connect() {
        LoadConnection connection = new LoadConnection(this, streamShape);
        connections.add(connection);
        ChannelFuture future = bootstrap.clone().handler(connection).connect(request.address());
        future.addListener(f -> {
            if (finished) {
                future.channel().close();
            } else if (!f.isSuccess()) {
                connections.remove(connection);
                if (!begun) {
                    fail(f.cause());
                }
            } else if (begun) {
                onReconnected(connection, ticker.nanoTime());
            } else if (++connected == connectionCount) {
                begin();
            }
        });
    }

    private void begin() {
        begun = true;
        runStart = ticker.nanoTime();
        measureStart = runStart + warmupNanos;
        measureEnd = measureStart + measureNanos;
        loop.schedule(() -> finishIfQuiescent(ticker.nanoTime()), measureEnd - runStart, TimeUnit.NANOSECONDS);
        loop.schedule(() -> {
            if (!finished) {
                onDrainTimeout(ticker.nanoTime());
                finish();
            }
        }, measureEnd + drainNanos - runStart, TimeUnit.NANOSECONDS);
        onBegin(runStart);
    }

    private void finish() {
        finished = true;
        closeAll();
        done.complete(this);
    }

    private void fail(Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        closeAll();
        done.completeExceptionally(cause);
    }

    private void closeAll() {
        for (LoadConnection connection : List.copyOf(connections)) {
            connection.close();
        }
        ByteBuf buf = requestBuffer;
        requestBuffer = null;
        if (buf != null) {
            buf.release();
        }
    }
}
