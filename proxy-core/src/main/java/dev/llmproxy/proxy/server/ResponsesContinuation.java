package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.codec.responses.ResponsesRequests;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A {@code POST /v1/responses} that continues a response relayed from OpenAI or Azure: its
 * {@code previous_response_id} is the gateway's managed id ({@link ManagedResponseIds}), which names the deployment
 * that holds the earlier turns. The call goes to that deployment (another deployment of the group, with another
 * account, would not know the response; LiteLLM keeps the same affinity), with the provider's own id in the body.
 *
 * <p>Thread-safety: stateless.
 *
 * @param route the one deployment that holds the earlier response, as a route of its group
 * @param body the request with the provider's id, owned by the caller
 */
record ResponsesContinuation(ModelRoute route, ByteBuf body) {
    private static final ByteBuf PREVIOUS_RESPONSE_ID = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("\"previous_response_id\"".getBytes(StandardCharsets.US_ASCII)));

    /**
     * The {@code previous_response_id} of {@code body} when it may be a response the proxy bridged and kept (not a
     * managed id of a relayed one), else {@code null}.
     *
     * @param body a valid JSON object; not taken, indexes unchanged
     */
    static @Nullable String keptPreviousId(ByteBuf body) {
        if (ByteBufUtil.indexOf(PREVIOUS_RESPONSE_ID, body) < 0) {
            return null;
        }
        String id = ResponsesRequests.previousResponseId(body);
        return id == null || ManagedResponseIds.decode(id) != null ? null : id;
    }

    /** Whether some deployment of {@code route} has no Responses API of its own (its answers are bridged). */
    static boolean bridges(ModelRoute route) {
        for (Target target : route.targets()) {
            if (target.deployment().adapter() instanceof ResponsesBridgeAdapter) {
                return true;
            }
        }
        return false;
    }

    /**
     * The continuation of {@code body}, or {@code null} when it continues no managed response of a native deployment
     * of {@code group} (no {@code previous_response_id}, a provider's id, a bridged response): then it goes as it is.
     *
     * @param body a valid JSON object (the request scan checked it); not taken, indexes unchanged
     */
    static @Nullable ResponsesContinuation of(RouteTable routes, String group, ByteBuf body, ByteBufAllocator alloc) {
        if (ByteBufUtil.indexOf(PREVIOUS_RESPONSE_ID, body) < 0) {
            return null;
        }
        String id = ResponsesRequests.previousResponseId(body);
        ManagedResponseIds.Decoded decoded = id == null ? null : ManagedResponseIds.decode(id);
        ModelRoute pinned = decoded == null ? null : routes.resolve(decoded.deploymentId());
        if (decoded == null || pinned == null || !pinned.modelGroup().equals(group)) {
            return null;
        }
        Deployment deployment = pinned.targets().get(0).deployment();
        if (deployment.adapter() instanceof ResponsesBridgeAdapter || !deployment.id().equals(decoded.deploymentId())) {
            return null;
        }
        return new ResponsesContinuation(pinned,
                ResponsesRequests.withPreviousResponseId(alloc, body, decoded.responseId()));
    }
}
