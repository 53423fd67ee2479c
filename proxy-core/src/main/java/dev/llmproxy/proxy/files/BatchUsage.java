package dev.llmproxy.proxy.files;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.route.Deployment;
import org.jspecify.annotations.Nullable;

/**
 * The usage of a completed batch, read from its output file as the client downloaded it through the proxy.
 *
 * @param spendId the same for every download of the same output file ({@code batch:<deployment id>:<file id>}), so
 *     that the batch is charged once: the spend log's request id
 * @param callId the download's {@code x-litellm-call-id}
 * @param deployment where the batch ran
 * @param principal who downloaded it
 * @param usage the tokens of every answer in the file, summed
 * @param model the model the answers name, or null
 * @param durationNanos how long the download took
 */
public record BatchUsage(String spendId, String callId, Deployment deployment, Principal principal, Usage usage,
        @Nullable String model, long durationNanos) {

    public BatchUsage {
        requireNonNull(spendId, "spendId");
        requireNonNull(callId, "callId");
        requireNonNull(deployment, "deployment");
        requireNonNull(principal, "principal");
        requireNonNull(usage, "usage");
    }

    /** Receives the usage of completed batches; called on an event loop, must hand off anything slow. */
    @FunctionalInterface
    public interface Listener {
        void onBatchUsage(BatchUsage usage);
    }
}
