package dev.llmproxy.bench.mock;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all connections of one {@link MockProvider} share: settings, counters, body writers and the per-model cache
 * of precomputed answers.
 *
 * <p>Thread-safety: thread-safe. The cache is a concurrent map bounded to {@link #MAX_CACHED_MODELS} entries; past
 * that, answers for new models are built per request and not kept, so a client sending random model names cannot
 * grow it without bound.
 */
final class MockState {
    private static final int MAX_CACHED_MODELS = 256;

    final MockProviderConfig config;
    final MockCounters counters = new MockCounters();
    final OpenAiBodies bodies;
    /** The files and batches of the Files and Batch APIs. */
    final MockFiles files;
    /** The access tokens the Google token endpoint issued; Vertex AI paths accept only these. */
    final Set<String> googleTokens = ConcurrentHashMap.newKeySet();
    final AtomicLong googleTokenSerial = new AtomicLong();
    private final ConcurrentMap<String, ModelAnswers> answers = new ConcurrentHashMap<>();
    /** Faults for the next model requests, one each; added by tests, taken by any event loop. */
    final Queue<MockFault> queuedFaults = new ConcurrentLinkedQueue<>();
    /** The fault of every model request while no queued one is left, or null; set by tests, read by event loops. */
    volatile @Nullable MockFault everyFault;

    MockState(MockProviderConfig config) {
        this.config = config;
        this.bodies = new OpenAiBodies(config.clock().instant().getEpochSecond());
        this.files = new MockFiles(config.clock().instant().getEpochSecond());
    }

    /** The fault the next model request acts out, or null to answer it. */
    @Nullable MockFault nextFault() {
        MockFault queued = queuedFaults.poll();
        return queued != null ? queued : everyFault;
    }

    ModelAnswers answers(String model) {
        ModelAnswers cached = answers.get(model);
        if (cached != null) {
            return cached;
        }
        ModelAnswers built = new ModelAnswers(bodies, model, config.streamChunks());
        if (answers.size() >= MAX_CACHED_MODELS) {
            return built;
        }
        ModelAnswers raced = answers.putIfAbsent(model, built);
        return raced == null ? built : raced;
    }
}
