package dev.llmproxy.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server channel's handler for failures to accept a connection (most often {@code EMFILE}, too many open files):
 * it stops accepting for a second, so that the failure does not repeat in a busy loop, while the connections already
 * open keep being served, and it logs at most once a minute, with the number of failures since the last line, so that
 * a stranger opening connections cannot flood the log. In: exceptions of the server channel. Nothing is passed on.
 *
 * <p>Thread-safety: confined to the server channel's event loop.
 */
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptErrorHandler.class);
    static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LongSupplier ticker;
    private long failuresSinceLog;
    private long lastLogNanos;
    private boolean logged;

    AcceptErrorHandler(LongSupplier ticker) {
        this.ticker = ticker;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failuresSinceLog++;
        long now = ticker.getAsLong();
        if (!logged || now - lastLogNanos >= LOG_INTERVAL_NANOS) {
            log.warn("Cannot accept connections ({}; {} failure(s) since the last report); pausing accepts for 1 s, "
                    + "open connections are still served", cause.toString(), failuresSinceLog);
            logged = true;
            lastLogNanos = now;
            failuresSinceLog = 0;
        }
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), PAUSE_NANOS,
                    TimeUnit.NANOSECONDS);
        }
    }
}
