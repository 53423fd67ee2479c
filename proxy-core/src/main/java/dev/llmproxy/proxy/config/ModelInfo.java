package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One {@code model_list[].model_info} block.
 *
 * @param id the deployment id the user chose, or {@code null}
 * @param other every other key ({@code mode}, {@code base_model}, costs...), values as in
 *     {@link LitellmParams#extraParams()}
 */
public record ModelInfo(@Nullable String id, Map<String, @Nullable Object> other) {

    /** No {@code model_info} block. */
    public static final ModelInfo EMPTY = new ModelInfo(null, Map.of());

    public ModelInfo {
        requireNonNull(other, "other");
    }
}
