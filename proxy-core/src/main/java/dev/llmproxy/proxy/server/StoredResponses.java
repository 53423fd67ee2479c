package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.codec.responses.StoredTurns;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.RebuiltResponse;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ModelRoute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Responses API's stored responses on one connection: {@code GET}/{@code DELETE /v1/responses/{id}} and
 * {@code /input_items} (relayed by {@link ResponseResourceRelay} to the deployment a managed id names, or answered
 * from a kept bridged turn), a {@code previous_response_id} that continues a kept turn (the request waits here while
 * the turn is read), and the keeping of a bridged answer with its input once the call rebuilt it.
 *
 * <p>Each step that waits for the store or a deployment is remembered in one field; when the client goes first,
 * {@link #clientGone()} forgets it (so the late answer is dropped), releases what it owned and records the request.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class StoredResponses {
    private static final Logger log = LoggerFactory.getLogger(StoredResponses.class);

    /** Starts the model call of a request continued with its earlier turn; takes the request. */
    interface ContinuedCall {
        void start(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts,
                Principal principal);
    }

    private final ServerContext server;
    private final RequestAnswers answers;
    private final ContinuedCall continuedCall;
    /** A stored response being fetched; the relay is cancelled if the client goes first. */
    private @Nullable AwaitingRelay awaitingRelay;
    /** A request waiting for the earlier turn it continues; owned here until continued or released. */
    private @Nullable AwaitingTurn awaitingTurn;
    /** A kept response being read or deleted; its answer is dropped if the client goes first. */
    private @Nullable AwaitingKept awaitingKept;
    /** The input of the current call's Responses request, kept with its bridged answer once complete. */
    private @Nullable PendingTurn pendingTurn;

    StoredResponses(ServerContext server, RequestAnswers answers, ContinuedCall continuedCall) {
        this.server = server;
        this.answers = answers;
        this.continuedCall = continuedCall;
    }

    /**
     * Holds a Responses request whose {@code previous_response_id} may name a kept bridged turn until that turn is
     * read from the store, then starts it again with the turn's items in front of its input.
     *
     * @return whether the request was taken (it will be continued or answered); false when it has no such id
     */
    boolean awaitEarlierTurn(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts,
            Principal principal, ModelRoute route) {
        BridgedResponses kept = server.bridgedResponses;
        String previous = kept == null ? null : ResponsesContinuation.keptPreviousId(request.content());
        if (kept == null || previous == null) {
            return false;
        }
        AwaitingTurn waiting = new AwaitingTurn(request, path, facts, principal, previous,
                ResponsesContinuation.bridges(route));
        awaitingTurn = waiting;
        hopBack(ctx, kept.find(previous), (turn, failure) -> earlierTurn(ctx, waiting, turn, failure));
        return true;
    }

    /**
     * Notes the input of a Responses call about to start, to keep with its answer when a bridged deployment
     * answers it (see {@link #onResponseRebuilt}); forgets the last call's otherwise.
     */
    void callStarting(Endpoint endpoint, ModelRoute route, ByteBuf body, Principal principal) {
        String keptInput = endpoint == Endpoint.RESPONSES && server.bridgedResponses != null
                && ResponsesContinuation.bridges(route) ? StoredTurns.inputToStore(body) : null;
        pendingTurn = keptInput == null ? null
                : new PendingTurn(route.modelGroup(), BridgedResponses.Owner.of(principal), keptInput);
    }

    /** The call ended: its input is no longer kept. */
    void callEnded() {
        pendingTurn = null;
    }

    /** Keeps the bridged answer of the current call with its input, off the event loop (never waited for). */
    void onResponseRebuilt(RebuiltResponse response) {
        PendingTurn turn = pendingTurn;
        pendingTurn = null;
        BridgedResponses kept = server.bridgedResponses;
        String json = turn == null || kept == null ? null : response.rebuiltResponse();
        String id = json == null ? null : StoredTurns.responseId(json);
        if (turn == null || kept == null || json == null || id == null) {
            return;
        }
        kept.save(id, turn.owner(), turn.modelGroup(), turn.inputItems(), json).whenComplete((ignored, failure) -> {
            if (failure != null) {
                log.warn("could not keep bridged response {}: {}", id, failure.toString());
            }
        });
    }

    /**
     * {@code GET}/{@code DELETE /v1/responses/{id}} and {@code GET /v1/responses/{id}/input_items}: relayed to the
     * OpenAI or Azure deployment the managed id names. The request stays in flight until the answer comes back.
     */
    void sendResource(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts,
            Principal principal) {
        String id = String.valueOf(path.pathModel());
        ResponseResourceRelay.Action action = path.kind() == ApiPath.Kind.RESPONSE_INPUT_ITEMS
                ? ResponseResourceRelay.Action.INPUT_ITEMS
                : request.method().equals(HttpMethod.DELETE) ? ResponseResourceRelay.Action.DELETE
                : ResponseResourceRelay.Action.RETRIEVE;
        String uri = request.uri();
        int queryStart = uri.indexOf('?');
        String query = queryStart < 0 ? "" : uri.substring(queryStart + 1);
        request.release();
        ManagedResponseIds.Decoded decoded = ManagedResponseIds.decode(id);
        BridgedResponses kept = server.bridgedResponses;
        if (decoded == null && kept != null) {
            AwaitingKept waiting = new AwaitingKept(facts, principal, id, action, query, kept);
            awaitingKept = waiting;
            hopBack(ctx, kept.find(id), (turn, failure) -> keptFound(ctx, waiting, turn, failure));
            return;
        }
        ModelRoute route = decoded == null ? null : server.routes.resolve(decoded.deploymentId());
        Deployment deployment = route == null ? null : route.targets().get(0).deployment();
        if (decoded == null || deployment == null || !deployment.id().equals(decoded.deploymentId())
                || deployment.isMock() || deployment.adapter() instanceof ResponsesBridgeAdapter) {
            answers.reject(ctx, facts, ProxyError.NOT_FOUND, "Response with id '" + id + "' not found. llmproxy "
                    + "finds a response by the id it returned for it, which names the deployment that holds it",
                    null, Endpoint.RESPONSES, principal);
            return;
        }
        KeyGrant key = principal.key();
        KeyRefusal refusal = key == null ? null : key.checkModel(deployment.modelGroup());
        if (refusal != null) {
            answers.rejectKey(ctx, facts, refusal, Endpoint.RESPONSES, deployment.modelGroup(), principal);
            return;
        }
        AwaitingRelay waiting = new AwaitingRelay(facts, principal, deployment.modelGroup());
        awaitingRelay = waiting;
        waiting.relay = ResponseResourceRelay.start(ctx, server.calls.upstream(), deployment, action, decoded, id,
                query, facts.callId(), (response, error) -> relayed(ctx, waiting, response, error));
    }

    /** The client went away: whatever step waits is forgotten, what it owned released, and its request recorded. */
    void clientGone() {
        AwaitingTurn turn = awaitingTurn;
        awaitingTurn = null;
        if (turn != null) {
            turn.request.release();
            answers.record(turn.facts, Endpoint.RESPONSES, null, turn.principal, ProxyError.CLIENT_CLOSED);
        }
        AwaitingKept keptRead = awaitingKept;
        awaitingKept = null;
        if (keptRead != null) {
            answers.record(keptRead.facts(), Endpoint.RESPONSES, null, keptRead.principal(),
                    ProxyError.CLIENT_CLOSED);
        }
        AwaitingRelay relaying = awaitingRelay;
        awaitingRelay = null;
        if (relaying != null) {
            ResponseResourceRelay relay = relaying.relay;
            if (relay != null) {
                relay.cancel();
            }
            answers.record(relaying.facts, Endpoint.RESPONSES, relaying.model, relaying.principal,
                    ProxyError.CLIENT_CLOSED);
        }
    }

    private void earlierTurn(ChannelHandlerContext ctx, AwaitingTurn waiting,
            @Nullable Optional<BridgedResponses.Turn> found, @Nullable Throwable failure) {
        if (awaitingTurn != waiting) {
            return;
        }
        awaitingTurn = null;
        FullHttpRequest request = waiting.request;
        if (failure != null) {
            log.warn("[{}] reading the earlier response failed: {}", waiting.facts.callId(), failure.toString());
            request.release();
            answers.reject(ctx, waiting.facts, ProxyError.STORE_UNAVAILABLE, "The response store is unavailable "
                    + "right now; try again", null, Endpoint.RESPONSES, waiting.principal);
            return;
        }
        BridgedResponses.Turn turn = found == null ? null : found.orElse(null);
        if (turn == null) {
            if (waiting.bridged) {
                request.release();
                answers.reject(ctx, waiting.facts, ProxyError.BAD_REQUEST, "Previous response with id '"
                        + waiting.previous + "' not found.", "previous_response_id", Endpoint.RESPONSES,
                        waiting.principal);
                return;
            }
            // Not one of the proxy's: the provider may know it.
            continuedCall.start(ctx, request, waiting.path, waiting.facts, waiting.principal);
            return;
        }
        String denied = turn.owner().refusal(waiting.principal);
        if (denied != null) {
            request.release();
            answers.reject(ctx, waiting.facts, ProxyError.RESPONSE_NOT_OWNED, denied, "previous_response_id",
                    Endpoint.RESPONSES, waiting.principal);
            return;
        }
        ByteBuf body;
        try {
            body = StoredTurns.continuing(ctx.alloc(), request.content(), turn.inputItems(), turn.response());
        } catch (InvalidRequestException | IllegalArgumentException e) {
            request.release();
            answers.reject(ctx, waiting.facts, ProxyError.BAD_REQUEST, String.valueOf(e.getMessage()), "input",
                    Endpoint.RESPONSES, waiting.principal);
            return;
        }
        FullHttpRequest continued = request.replace(body);
        request.release();
        continuedCall.start(ctx, continued, waiting.path, waiting.facts, waiting.principal);
    }

    /** Answers {@code GET}/{@code DELETE /v1/responses/{id}} or its input items from a kept turn. */
    private void keptFound(ChannelHandlerContext ctx, AwaitingKept waiting,
            @Nullable Optional<BridgedResponses.Turn> found, @Nullable Throwable failure) {
        if (awaitingKept != waiting) {
            return;
        }
        awaitingKept = null;
        if (failure != null) {
            log.warn("[{}] reading a kept response failed: {}", waiting.facts().callId(), failure.toString());
            answers.reject(ctx, waiting.facts(), ProxyError.STORE_UNAVAILABLE, "The response store is unavailable "
                    + "right now; try again", null, Endpoint.RESPONSES, waiting.principal());
            return;
        }
        BridgedResponses.Turn turn = found == null ? null : found.orElse(null);
        KeyGrant key = waiting.principal().key();
        if (turn == null || key != null && key.checkModel(turn.modelGroup()) != null) {
            answers.reject(ctx, waiting.facts(), ProxyError.NOT_FOUND, "Response with id '" + waiting.id()
                    + "' not found.", null, Endpoint.RESPONSES, waiting.principal());
            return;
        }
        String denied = turn.owner().refusal(waiting.principal());
        if (denied != null) {
            answers.reject(ctx, waiting.facts(), ProxyError.RESPONSE_NOT_OWNED, denied, null, Endpoint.RESPONSES,
                    waiting.principal());
            return;
        }
        switch (waiting.action()) {
            case RETRIEVE -> sendKept(ctx, waiting, turn.response());
            case INPUT_ITEMS -> {
                QueryStringDecoder query = new QueryStringDecoder(waiting.query(), false);
                int limit;
                try {
                    limit = intParam(query, "limit", 20);
                } catch (NumberFormatException e) {
                    answers.reject(ctx, waiting.facts(), ProxyError.BAD_REQUEST, "limit must be a number", "limit",
                            Endpoint.RESPONSES, waiting.principal());
                    return;
                }
                sendKept(ctx, waiting, StoredTurns.inputItemsPage(turn.inputItems(), limit,
                        "asc".equals(param(query, "order")), param(query, "after")));
            }
            case DELETE -> {
                awaitingKept = waiting;
                hopBack(ctx, waiting.kept().delete(waiting.id()), (deleted, error) -> keptDeleted(ctx, waiting, error));
            }
        }
    }

    private void keptDeleted(ChannelHandlerContext ctx, AwaitingKept waiting, @Nullable Throwable failure) {
        if (awaitingKept != waiting) {
            return;
        }
        awaitingKept = null;
        if (failure != null) {
            log.warn("[{}] deleting a kept response failed: {}", waiting.facts().callId(), failure.toString());
            answers.reject(ctx, waiting.facts(), ProxyError.STORE_UNAVAILABLE, "The response store is unavailable "
                    + "right now; try again", null, Endpoint.RESPONSES, waiting.principal());
            return;
        }
        sendKept(ctx, waiting, "{\"id\":" + new String(JsonStrings.quote(waiting.id()), StandardCharsets.UTF_8)
                + ",\"object\":\"response\",\"deleted\":true}");
    }

    private void sendKept(ChannelHandlerContext ctx, AwaitingKept waiting, String json) {
        FullHttpResponse response = Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                ByteBufUtil.writeUtf8(ctx.alloc(), json), waiting.facts().callId());
        answers.send(ctx, response, waiting.facts());
        answers.record(waiting.facts(), Endpoint.RESPONSES, null, waiting.principal(), null,
                HttpResponseStatus.OK.code());
    }

    private void relayed(ChannelHandlerContext ctx, AwaitingRelay waiting, FullHttpResponse response,
            @Nullable ProxyError error) {
        if (awaitingRelay != waiting) {
            response.release();
            return;
        }
        awaitingRelay = null;
        answers.send(ctx, response, waiting.facts);
        answers.record(waiting.facts, Endpoint.RESPONSES, waiting.model, waiting.principal, error,
                response.status().code());
    }

    private static @Nullable String param(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static int intParam(QueryStringDecoder query, String name, int fallback) {
        String value = param(query, name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    /** Runs {@code then} on this connection's event loop once {@code stage} completes. */
    private static <T> void hopBack(ChannelHandlerContext ctx, CompletionStage<T> stage,
            BiConsumer<@Nullable T, @Nullable Throwable> then) {
        stage.whenComplete((value, failure) -> {
            try {
                ctx.executor().execute(() -> then.accept(value, failure));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: the connection is gone with it, and so is the answer.
                log.debug("answer from the response store dropped: the event loop is stopping");
            }
        });
    }

    /** The input of a Responses call to keep with its bridged answer. */
    private record PendingTurn(String modelGroup, BridgedResponses.Owner owner, String inputItems) {}

    /** A kept response being read or deleted on a store thread. */
    private record AwaitingKept(RequestFacts facts, Principal principal, String id,
            ResponseResourceRelay.Action action, String query, BridgedResponses kept) {}

    /** A request kept while the earlier turn it continues is read; the request is owned until released. */
    private record AwaitingTurn(FullHttpRequest request, ApiPath path, RequestFacts facts, Principal principal,
            String previous, boolean bridged) {}

    /** A stored response being fetched from its deployment. */
    private static final class AwaitingRelay {
        final RequestFacts facts;
        final Principal principal;
        final String model;
        @Nullable ResponseResourceRelay relay;

        AwaitingRelay(RequestFacts facts, Principal principal, String model) {
            this.facts = facts;
            this.principal = principal;
            this.model = model;
        }
    }
}
