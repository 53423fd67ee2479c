package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.config.ReliabilitySettings;
import dev.llmproxy.proxy.config.RetryPolicy;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.AvailabilityRouter;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RetryRules;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Router;
import dev.llmproxy.proxy.route.Target;
import dev.llmproxy.proxy.route.TriedDeployments;
import dev.llmproxy.proxy.upstream.EmbeddedUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ModelCall} on in-memory channels with fake time: the client connection is an {@link EmbeddedChannel}
 * whose outbound messages are what the client would receive, the upstream is an {@link EmbeddedUpstream}, time is a
 * {@link MockTicker} that drives both the call's ticker and the channel's scheduled tasks, and the router tries the
 * group's deployments in config order. Nothing sleeps and nothing runs on another thread.
 */
final class CallHarness implements AutoCloseable {
    static final long CLIENT_WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    final MockTicker ticker = Ticker.newMockTicker();
    final EmbeddedUpstream upstream = new EmbeddedUpstream();
    final OrderedRouter router = new OrderedRouter();
    final List<CallRecord> records = new ArrayList<>();
    final List<Boolean> ends = new ArrayList<>();
    final EmbeddedChannel client;
    private final RouteTable routes;
    /** The retry rules of the next call started; the config's unless a test replaces them. */
    RetryRules retryRules;
    /** The proxy-wide parallel limit of the next call started, or null. */
    @Nullable CallsInFlight callsInFlight;
    /** The options of the next call started. */
    CallOptions options = CallOptions.DEFAULT;
    /** The endpoint of the next call started. */
    Endpoint endpoint = Endpoint.CHAT_COMPLETIONS;
    private final ContextCapture capture = new ContextCapture();
    private @Nullable ByteBuf lastBody;

    CallHarness(Path dir, String yaml) {
        Path file = dir.resolve("config.yaml");
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProxyConfig config = ConfigLoader.load(file, Map.of());
        this.routes = RouteTable.build(config);
        this.retryRules = RetryRules.of(routes, config.reliability());
        this.client = EmbeddedChannel.builder().ticker(ticker).handlers(capture).build();
    }

    /** Starts a call of {@code model} with {@code json} as the client's body. */
    ModelCall start(String model, String json) {
        ModelRoute route = routes.resolve(model);
        if (route == null) {
            throw new AssertionError("no route for " + model);
        }
        return start(route, json);
    }

    /** Starts a call of {@code route} with {@code json} as the client's body. */
    ModelCall start(ModelRoute route, String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        lastBody = body;
        RequestInfo info = RequestScanner.scan(body);
        CallRequest request = new CallRequest("call-1", endpoint, route.modelGroup(), route, info,
                Principal.MASTER, ticker.nanoTime(), true, false, null, options);
        CallServices services = new CallServices(ticker::nanoTime,
                Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC),
                () -> new SplittableRandom(1), new AvailabilityRouter(router, retryRules.cooldowns(), ticker::nanoTime),
                upstream, records::add, CLIENT_WRITE_TIMEOUT_NANOS, retryRules, callsInFlight);
        ModelCall call = new ModelCall(capture.ctx(), ends::add, services, request, body);
        call.start();
        return call;
    }

    /** Moves fake time on and runs the client loop's timers that are due. */
    void advance(long amount, TimeUnit unit) {
        ticker.advance(amount, unit);
        client.runScheduledPendingTasks();
    }

    /** What the client received so far, in order; parts stay owned by the caller (see {@link #text}). */
    List<HttpObject> received() {
        List<HttpObject> parts = new ArrayList<>();
        Object message;
        while ((message = client.readOutbound()) != null) {
            parts.add((HttpObject) message);
        }
        return parts;
    }

    /** The head among {@code parts}, or null. */
    static @Nullable HttpResponse head(List<HttpObject> parts) {
        for (HttpObject part : parts) {
            if (part instanceof HttpResponse response) {
                return response;
            }
        }
        return null;
    }

    /** The body bytes among {@code parts} as text; releases them. */
    static String text(List<HttpObject> parts) {
        StringBuilder text = new StringBuilder();
        for (HttpObject part : parts) {
            if (part instanceof HttpContent content) {
                text.append(content.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(part);
        }
        return text.toString();
    }

    /** The client's body of the last call (released when the call ended). */
    ByteBuf lastBody() {
        if (lastBody == null) {
            throw new AssertionError("no call was started");
        }
        return lastBody;
    }

    /** The one record reported. */
    CallRecord record() {
        if (records.size() != 1) {
            throw new AssertionError("expected one record, got " + records);
        }
        return records.get(0);
    }

    @Override
    public void close() {
        for (EmbeddedUpstream.Connection connection : upstream.connections()) {
            connection.finish();
        }
        client.finishAndReleaseAll();
    }

    /** Retries nothing from now on: {@code num_retries: 0} and no fallbacks. */
    void disableRetries() {
        ReliabilitySettings s = retryRules.settings();
        retryRules = RetryRules.of(routes, new ReliabilitySettings(0, RetryPolicy.NONE, Map.of(), s.retryAfter(),
                Map.of(), Map.of(), Map.of(), List.of(), s.maxFallbacks(), s.allowedFails(), s.allowedFailsPolicy(),
                s.cooldownTime(), s.disableCooldowns(), null, null));
    }

    /** Tries the group's deployments in config order; records every lease it gave and how it was released. */
    static final class OrderedRouter implements Router {
        final List<String> released = new ArrayList<>();

        @Override
        public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried,
                java.util.random.RandomGenerator random) {
            for (Target target : route.targets()) {
                if (tried == null || !tried.contains(target.deployment())) {
                    return new Lease() {
                        @Override
                        public Target target() {
                            return target;
                        }

                        @Override
                        public void release(int status, @Nullable Usage usage) {
                            released.add(target.deployment().id() + ":" + status
                                    + (usage == null ? "" : ":" + usage.totalTokens()));
                        }
                    };
                }
            }
            return null;
        }
    }

    /** Gives the test the client channel's context, as the real pipeline's last handler would have it. */
    private static final class ContextCapture extends ChannelInboundHandlerAdapter {
        private @Nullable ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        ChannelHandlerContext ctx() {
            if (ctx == null) {
                throw new AssertionError("not in a pipeline");
            }
            return ctx;
        }
    }
}
