package dev.llmproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client pipeline up to the aggregator ({@link ServerInitializer#addHttpHandlers}) on an {@link EmbeddedChannel}
 * whose clock is a {@link MockTicker} shared with the handlers, ending in a handler that collects the aggregated
 * requests and through which the test writes responses. Not thread-safe; one per test.
 */
final class ClientPipeline implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = 64 * 1024;

    final MockTicker ticker = Ticker.newMockTicker();
    final EmbeddedChannel channel;
    /** The requests the aggregator produced, in order; released by {@link #close()}. */
    final List<FullHttpRequest> requests = new ArrayList<>();
    private ChannelHandlerContext app;

    ClientPipeline(ClientTimeouts timeouts) {
        this(timeouts, new RequestBudget(Long.MAX_VALUE));
    }

    /** A pipeline whose request bodies count against {@code budget}. */
    ClientPipeline(ClientTimeouts timeouts, RequestBudget budget) {
        channel = EmbeddedChannel.builder().ticker(ticker).build();
        ServerSettings settings = new ServerSettings(
                "127.0.0.1", 0, 1, MAX_REQUEST_BYTES, 8 * 1024, Duration.ofSeconds(1), timeouts);
        ServerInitializer.addHttpHandlers(channel.pipeline(), settings, ticker::nanoTime, budget);
        channel.pipeline().addLast(ServerInitializer.HANDLER, new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                app = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest request) {
                    requests.add(request);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
        });
    }

    /** Feeds {@code text} (ASCII) as one read. */
    void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Feeds {@code bytes} as one read. */
    void send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** Writes and flushes {@code msg} as the application handler would. */
    void respond(Object msg) {
        app.writeAndFlush(msg);
    }

    /** Writes {@code msg} as the application handler would, without flushing it. */
    void respondWithoutFlush(Object msg) {
        app.write(msg);
    }

    /** Moves the clock by {@code time} and runs the timers that are due. */
    void advance(Duration time) {
        ticker.advance(time.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** Everything written to the client so far, as text; the buffers are released. */
    String output() {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            if (msg instanceof ByteBuf buf) {
                out.append(buf.toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(msg);
        }
        return out.toString();
    }

    /** Whether no timer is left on the channel's event loop. */
    boolean hasNoTimers() {
        return channel.runScheduledPendingTasks() == -1;
    }

    @Override
    public void close() {
        requests.forEach(FullHttpRequest::release);
        requests.clear();
        channel.finishAndReleaseAll();
    }
}
