package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.openai.ModelCard;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.Version;
import dev.llmproxy.proxy.config.RouterSettings;
import dev.llmproxy.proxy.route.DeploymentStats;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.RoutingStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The answers the proxy gives without a provider: health probes and the model list. The model list and liveness depend
 * only on the configuration, so they are encoded once and every response shares the bytes; readiness adds the
 * router's live state.
 *
 * <p>Thread-safety: immutable; the shared buffers are unreleasable and each response takes a duplicate.
 */
final class BuiltInResponses {
    /** LiteLLM answers its liveness probes with this JSON string. */
    private static final ByteBuf ALIVE = constant("\"I'm alive!\"");
    /** Models are listed with a fixed creation time, as LiteLLM does. */
    private static final long MODEL_CREATED = 1677610602L;
    private static final String OWNED_BY = "openai";

    private final String readinessHead;
    private final RoutingStats stats;
    private final ByteBuf modelList;
    private final Set<String> modelIds;
    /** The public model names in the config's order. */
    private final List<String> modelNames;

    BuiltInResponses(RouteTable routes, RouterSettings router, RoutingStats stats) {
        this.stats = stats;
        List<ModelCard> models = routes.publicModels().stream()
                .map(id -> new ModelCard(id, MODEL_CREATED, OWNED_BY))
                .toList();
        this.modelIds = Set.copyOf(routes.publicModels());
        this.modelNames = List.copyOf(routes.publicModels());
        // Copied out of the allocator's buffer: a buffer from an allocator is leak-tracked, and this one is never
        // released (it lives as long as the server), so each stopped server would be reported as a leak.
        ByteBuf encoded = OpenAiJson.modelList(UnpooledByteBufAllocator.DEFAULT, models);
        try {
            this.modelList = constant(ByteBufUtil.getBytes(encoded));
        } finally {
            encoded.release();
        }
        this.readinessHead = "{\"status\":\"healthy\",\"db\":\"Not connected\",\"cache\":null,"
                + "\"litellm_version\":\"" + Version.current() + "\",\"success_callbacks\":[],"
                + "\"router\":{\"routing_strategy\":\"" + router.routingStrategy().configName() + "\","
                + "\"wait_for_capacity\":" + (router.capacityWait() != null) + ",";
    }

    FullHttpResponse alive(String callId) {
        return json(HttpResponseStatus.OK, ALIVE, callId);
    }

    /**
     * LiteLLM's readiness answer plus the router's state (llmproxy's own field {@code router}): the routing strategy,
     * whether calls may wait for capacity, and how many deployments are in rotation (a background health check takes
     * failing ones out). Counts only: the endpoint is public, so no deployment is named.
     */
    FullHttpResponse readiness(ByteBufAllocator alloc, String callId) {
        int healthy = 0;
        for (DeploymentStats deployment : stats.all()) {
            healthy += deployment.isHealthy() ? 1 : 0;
        }
        String json = readinessHead + "\"deployments\":" + stats.all().size() + ",\"healthy_deployments\":" + healthy
                + "}}";
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        return Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body, callId);
    }

    FullHttpResponse modelList(String callId) {
        return json(HttpResponseStatus.OK, modelList, callId);
    }

    /** The model list restricted to the models {@code allowed} accepts (a virtual key's list). */
    FullHttpResponse modelList(ByteBufAllocator alloc, String callId, Predicate<String> allowed) {
        List<ModelCard> models = modelNames.stream().filter(allowed)
                .map(id -> new ModelCard(id, MODEL_CREATED, OWNED_BY))
                .toList();
        return Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                OpenAiJson.modelList(alloc, models), callId);
    }

    /** The model object for {@code id}, or null when no public model has that name. */
    @Nullable FullHttpResponse model(ByteBufAllocator alloc, String id, String callId) {
        if (!modelIds.contains(id)) {
            return null;
        }
        ByteBuf body = OpenAiJson.model(alloc, new ModelCard(id, MODEL_CREATED, OWNED_BY));
        return Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body, callId);
    }

    private static FullHttpResponse json(HttpResponseStatus status, ByteBuf shared, String callId) {
        return Responses.full(status, HttpHeaderValues.APPLICATION_JSON, shared.duplicate(), callId);
    }

    private static ByteBuf constant(String json) {
        return constant(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf constant(byte[] json) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(json).asReadOnly());
    }
}
