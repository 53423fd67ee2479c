package dev.llmproxy.proxy.spend;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.EndUsers;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.files.BatchUsage;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.SpendWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each model call's record into spend: its cost from the usage and the deployment's price, given back to the
 * virtual key's admission (which frees its parallel slot, charges its tokens per minute and adds the cost to the
 * cached spend, so the next budget check sees it before the database does), and one {@link SpendRecord} to the
 * {@link SpendWriter}, which journals it and commits it to the database exactly once (spend-log row and the key's,
 * user's, team's and end user's spend). The call's end user (the request's {@code user}) is charged in
 * {@link EndUsers} too, so that its next budget check sees the cost at once.
 *
 * <p>Requests that never reached the model call (refused, malformed, built-in answers) have no spend and no record.
 *
 * <p>Thread-safety: called on the event loops; {@link SpendWriter#submit} does not wait for the disk or the database
 * unless its queue is full.
 */
public final class SpendListener implements CallListener, BatchUsage.Listener {
    private static final Logger log = LoggerFactory.getLogger(SpendListener.class);

    private final RouteTable routes;
    private final CallCosts costs;
    private final @Nullable SpendWriter writer;
    private final Clock clock;
    private final EndUsers endUsers;

    /**
     * @param writer where spend records go, or null when spend is only counted in the key cache
     * @param clock wall time, for the admission windows and the records' times
     */
    public SpendListener(RouteTable routes, PriceTable prices, @Nullable SpendWriter writer, Clock clock) {
        this(routes, prices, writer, clock, EndUsers.NONE);
    }

    /**
     * As {@link #SpendListener(RouteTable, PriceTable, SpendWriter, Clock)}, charging each call's cost to its end user
     * in {@code endUsers} too.
     */
    public SpendListener(RouteTable routes, PriceTable prices, @Nullable SpendWriter writer, Clock clock,
            EndUsers endUsers) {
        this.routes = requireNonNull(routes, "routes");
        this.costs = new CallCosts(routes, requireNonNull(prices, "prices"));
        this.writer = writer;
        this.clock = requireNonNull(clock, "clock");
        this.endUsers = requireNonNull(endUsers, "endUsers");
    }

    @Override
    public void onCallEnded(CallRecord record) {
        String deploymentId = record.deploymentId();
        Deployment deployment = deploymentId == null ? null : routes.deploymentFor(deploymentId);
        Usage usage = record.usage();
        // The computation of the answer's x-litellm-response-cost: the header and the record agree.
        double cost = deployment == null || usage == null ? 0 : costs.cost(deployment, record.requestedModel(), usage);
        Principal principal = record.principal();
        KeyGrant key = principal == null ? null : principal.key();
        long nowMillis = clock.millis();
        if (principal != null && principal.admitted() && key != null) {
            key.release(record.requestedModel(), nowMillis, usage == null ? 0 : usage.totalTokens(), cost);
        }
        String endUser = principal == null ? null : principal.endUser();
        if (endUser != null) {
            endUsers.charge(endUser, cost);
        }
        SpendWriter out = writer;
        String modelGroup = record.modelGroup();
        Endpoint endpoint = record.endpoint();
        if (out == null || modelGroup == null || endpoint == null) {
            return;
        }
        Instant end = Instant.ofEpochMilli(nowMillis);
        Instant start = end.minusNanos(Math.max(0, record.endNanos() - record.startNanos()));
        SpendRecord.Builder spend = SpendRecord.builder(record.callId())
                .callType(callType(endpoint))
                .apiKey(key == null ? "" : key.tokenHash())
                .spend(cost)
                .startTime(start)
                .endTime(end)
                .modelGroup(modelGroup)
                .userId(key == null ? null : key.userId())
                .teamId(key == null ? null : key.teamId())
                .endUser(endUser)
                .requestTags(key == null ? List.of() : key.tags())
                .status(record.status() < 400 ? "success" : "failure");
        if (usage != null) {
            spend.promptTokens(saturated(usage.promptTokens()))
                    .completionTokens(saturated(usage.completionTokens()))
                    .totalTokens(saturated(usage.totalTokens()));
        }
        if (deployment != null) {
            String requested = record.requestedModel();
            spend.model(deployment.isWildcard() && requested != null ? requested : deployment.upstreamModel())
                    .modelId(deployment.id())
                    .customLlmProvider(deployment.provider().name())
                    .apiBase(deployment.baseUrl() == null ? "" : String.valueOf(deployment.baseUrl()));
        }
        if (!out.submit(spend.build())) {
            log.warn("[{}] spend record refused by the writer (closed, or its journal failed)", record.callId());
        }
    }

    /**
     * A completed batch's spend, written when its output is downloaded: one record per output file (its request id
     * is the same for every download, and the writer inserts a request id once, so a batch is charged once), with
     * LiteLLM's {@code aretrieve_batch} call type and its batch price: {@code *_batches} prices are not read yet, so
     * half the deployment's price, which is LiteLLM's rule when a model has none.
     */
    @Override
    public void onBatchUsage(BatchUsage batch) {
        SpendWriter out = writer;
        if (out == null) {
            return;
        }
        Deployment deployment = batch.deployment();
        Usage usage = batch.usage();
        double cost = costs.batchCost(deployment, batch.model(), usage);
        KeyGrant key = batch.principal().key();
        Instant end = clock.instant();
        SpendRecord record = SpendRecord.builder(batch.spendId())
                .callType("aretrieve_batch")
                .apiKey(key == null ? "" : key.tokenHash())
                .spend(cost)
                .startTime(end.minusNanos(Math.max(0, batch.durationNanos())))
                .endTime(end)
                .modelGroup(deployment.modelGroup())
                .userId(key == null ? null : key.userId())
                .teamId(key == null ? null : key.teamId())
                .requestTags(key == null ? List.of() : key.tags())
                .status("success")
                .promptTokens(saturated(usage.promptTokens()))
                .completionTokens(saturated(usage.completionTokens()))
                .totalTokens(saturated(usage.totalTokens()))
                .model(batch.model() != null ? batch.model() : deployment.upstreamModel())
                .modelId(deployment.id())
                .customLlmProvider(deployment.provider().name())
                .apiBase(deployment.baseUrl() == null ? "" : String.valueOf(deployment.baseUrl()))
                .build();
        if (!out.submit(record)) {
            log.warn("[{}] batch spend record refused by the writer (closed, or its journal failed)",
                    batch.callId());
        }
    }

    /** LiteLLM's {@code call_type} of an endpoint. */
    static String callType(Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS -> "acompletion";
            case COMPLETIONS -> "atext_completion";
            case EMBEDDINGS -> "aembedding";
            case MESSAGES -> "anthropic_messages";
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS -> "atranscription";
            case IMAGES_EDITS -> "aimage_edit";
            case IMAGES_VARIATIONS -> "aimage_variation";
            case AUDIO_SPEECH -> "aspeech";
            case IMAGE_GENERATIONS -> "aimage_generation";
            case MODERATIONS -> "amoderation";
            case RERANK -> "arerank";
            case PASS_THROUGH -> "pass_through_endpoint";
            case LIST_FILES -> "afile_list";
            case RETRIEVE_FILE -> "afile_retrieve";
            case DELETE_FILE -> "afile_delete";
            default -> "a" + endpoint.name().toLowerCase(Locale.ROOT);
        };
    }

    private static int saturated(long tokens) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, tokens));
    }
}
