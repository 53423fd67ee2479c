package dev.llmproxy.proxy.files;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's model-encoded file and batch ids: {@code file-} or {@code batch_} followed by the unpadded URL-safe
 * base64 of {@code litellm:<provider id>;model,<model>}. An id the proxy hands out names where the file or batch
 * lives, so that a later call on it (retrieve, content, delete, a batch on an uploaded file) finds the same
 * deployment without a database, and ids made by a LiteLLM proxy keep working here.
 *
 * <p>The model written is the model group's name when the group has one deployment, and the deployment's id
 * ({@code model_info.id}, or the hash of its parameters) when it has several: a load-balanced group's deployments
 * are often different accounts, and a file exists only on the one it was uploaded to. Reading accepts both.
 *
 * <p>Thread-safety: stateless.
 */
public final class FileIds {
    private static final String MARK = "litellm:";
    private static final String MODEL = ";model,";

    private FileIds() {
    }

    /** A provider id and the model it was encoded with. */
    public record Decoded(String providerId, String model) {}

    /**
     * The client's id for {@code providerId} on {@code model}.
     *
     * @param batch whether the id is a batch's (chooses the prefix when the provider's id has neither)
     */
    public static String encode(String providerId, String model, boolean batch) {
        String prefix = providerId.startsWith("batch_") ? "batch_"
                : providerId.startsWith("file-") ? "file-" : batch ? "batch_" : "file-";
        String plain = MARK + providerId + MODEL + model;
        return prefix + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The provider id and model in a model-encoded id, or null for any other id. */
    public static @Nullable Decoded decode(String id) {
        String encoded = id.startsWith("file-") ? id.substring(5) : id.startsWith("batch_") ? id.substring(6) : id;
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int model = plain.indexOf(MODEL);
        if (!plain.startsWith(MARK) || model <= MARK.length()) {
            return null;
        }
        String name = plain.substring(model + MODEL.length());
        int end = name.indexOf(';');
        name = (end < 0 ? name : name.substring(0, end)).trim();
        return name.isEmpty() ? null : new Decoded(plain.substring(MARK.length(), model), name);
    }
}
