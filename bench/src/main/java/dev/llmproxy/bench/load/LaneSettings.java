package dev.llmproxy.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;

/** What every lane of one run shares: its event loop, transport, clock, request and timeline. */
record LaneSettings(
        EventLoop loop,
        Bootstrap bootstrap,
        Ticker ticker,
        RequestTemplate request,
        long warmupNanos,
        long measureNanos,
        long drainNanos) {
}
