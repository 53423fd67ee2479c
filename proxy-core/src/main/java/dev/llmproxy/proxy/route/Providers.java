package dev.llmproxy.proxy.route;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * The provider prefixes llmproxy recognises, with LiteLLM's defaults. Thread-safety: immutable, static.
 */
public final class Providers {

    private Providers() {}

    /** The provider named {@code name} (supported or not), or {@code null} when LiteLLM has no such provider. */
    public static @Nullable ProviderSpec byName(String name) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Every recognised provider. */
    public static Collection<ProviderSpec> all() {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * The provider LiteLLM infers for a model name without a prefix ({@code gpt-4o} → openai, {@code claude-*} →
     * anthropic, {@code gemini-*} → vertex_ai), or {@code null} when it infers none.
     */
    public static @Nullable ProviderSpec infer(String bareModel) {
        throw new UnsupportedOperationException("not built yet");
    }
}
