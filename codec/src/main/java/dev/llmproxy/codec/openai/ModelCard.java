package dev.llmproxy.codec.openai;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code GET /v1/models}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param id the public model name
 * @param created creation time in epoch seconds
 * @param ownedBy the {@code owned_by} value
 */
public record ModelCard(String id, long created, String ownedBy) {
    /** Validates the components. */
    public ModelCard {
        requireNonNull(id, "id");
        requireNonNull(ownedBy, "ownedBy");
    }
}
