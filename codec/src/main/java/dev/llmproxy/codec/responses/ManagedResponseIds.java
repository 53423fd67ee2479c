package dev.llmproxy.codec.responses;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Response ids that name the deployment which made the response, in LiteLLM's format: {@code resp_} followed by the
 * standard Base64 (with padding) of {@code litellm:custom_llm_provider:<provider>;model_id:<deployment
 * id>;response_id:<the provider's id>}. A gateway in front of several OpenAI or Azure deployments returns these
 * instead of the provider's ids, so that a later {@code GET}/{@code DELETE /v1/responses/{id}} or a
 * {@code previous_response_id} can be sent to the one deployment that holds the response (LiteLLM's
 * {@code litellm/responses/utils.py}, {@code _build_responses_api_response_id}); ids made by either gateway are read
 * by the other.
 *
 * <p>Decoding is more lenient than encoding: the URL-safe alphabet and missing padding are accepted too, because a
 * client may have carried the id through a URL.
 *
 * <p>Thread-safety: stateless.
 */
public final class ManagedResponseIds {
    private static final String PREFIX = "resp_";
    private static final String PROVIDER = "litellm:custom_llm_provider:";
    private static final String MODEL_ID = ";model_id:";
    private static final String RESPONSE_ID = ";response_id:";
    private static final byte[] ID_KEY = "\"id\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_KEY = "{\"type\":\"response.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] RESPONSE_EVENTS = {bytes("created\""), bytes("in_progress\""),
        bytes("completed\""), bytes("incomplete\""), bytes("failed\""), bytes("queued\"")};

    private ManagedResponseIds() {
    }

    /**
     * What a managed id names.
     *
     * @param provider LiteLLM's provider name ({@code openai}, {@code azure})
     * @param deploymentId the deployment's {@code model_info.id}
     * @param responseId the provider's own id
     */
    public record Decoded(String provider, String deploymentId, String responseId) {
        public Decoded {
            requireNonNull(provider, "provider");
            requireNonNull(deploymentId, "deploymentId");
            requireNonNull(responseId, "responseId");
        }
    }

    /** The managed id of the provider's response {@code responseId}, made by deployment {@code deploymentId}. */
    public static String encode(String provider, String deploymentId, String responseId) {
        String assembled = PROVIDER + provider + MODEL_ID + deploymentId + RESPONSE_ID + responseId;
        return PREFIX + Base64.getEncoder().encodeToString(assembled.getBytes(StandardCharsets.UTF_8));
    }

    /** What {@code id} names, or {@code null} when it is not a managed id (a provider's own id, garbage). */
    public static @Nullable Decoded decode(String id) {
        if (!id.startsWith(PREFIX) || id.length() == PREFIX.length()) {
            return null;
        }
        String text;
        try {
            String body = id.substring(PREFIX.length()).replace('-', '+').replace('_', '/');
            text = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!text.startsWith(PROVIDER)) {
            return null;
        }
        int model = text.indexOf(MODEL_ID, PROVIDER.length());
        int response = model < 0 ? -1 : text.indexOf(RESPONSE_ID, model + MODEL_ID.length());
        if (response < 0) {
            return null;
        }
        String provider = text.substring(PROVIDER.length(), model);
        String deploymentId = text.substring(model + MODEL_ID.length(), response);
        String responseId = text.substring(response + RESPONSE_ID.length());
        if (provider.isEmpty() || deploymentId.isEmpty() || responseId.isEmpty()) {
            return null;
        }
        return new Decoded(provider, deploymentId, responseId);
    }

    /**
     * Whether an event of a Responses stream carries the whole {@code response} object (and so its id):
     * {@code response.created}, {@code .in_progress}, {@code .completed}, {@code .incomplete}, {@code .failed},
     * {@code .queued}. Compares the first bytes only: OpenAI writes {@code type} first, compactly.
     *
     * @param data holds the event's data at {@code [index, index + length)}; not taken, indexes unchanged
     */
    public static boolean carriesResponse(ByteBuf data, int index, int length) {
        int end = index + length;
        if (!matches(data, index, end, TYPE_KEY)) {
            return false;
        }
        int type = index + TYPE_KEY.length;
        for (byte[] name : RESPONSE_EVENTS) {
            if (matches(data, type, end, name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces the first response id in a JSON text (the first {@code "id"} member whose value starts with
     * {@code resp_}: the response object's own, which comes before its output items' and is the only one with that
     * prefix) by what {@code replace} makes of it. Nothing else is touched.
     *
     * @param data holds the JSON at {@code [index, index + length)}; not taken, indexes unchanged
     * @return a new buffer from {@code alloc} owned by the caller, or {@code null} when there is no response id
     */
    public static @Nullable ByteBuf replaceResponseId(ByteBufAllocator alloc, ByteBuf data, int index, int length,
            UnaryOperator<String> replace) {
        int end = index + length;
        int from = index;
        while (true) {
            int key = indexOf(data, from, end, ID_KEY);
            if (key < 0) {
                return null;
            }
            from = key + ID_KEY.length;
            if (key > index && data.getByte(key - 1) == '\\') {
                continue;
            }
            int i = skipSpace(data, from, end);
            if (i >= end || data.getByte(i) != ':') {
                continue;
            }
            i = skipSpace(data, i + 1, end);
            if (i >= end || data.getByte(i) != '"') {
                continue;
            }
            int valueStart = i + 1;
            int valueEnd = closingQuote(data, valueStart, end);
            if (valueEnd < 0) {
                return null;
            }
            String value = data.toString(valueStart, valueEnd - valueStart, StandardCharsets.UTF_8);
            if (!value.startsWith(PREFIX)) {
                continue;
            }
            byte[] replacement = replace.apply(value).getBytes(StandardCharsets.UTF_8);
            ByteBuf out = alloc.buffer(length - (valueEnd - valueStart) + replacement.length);
            out.writeBytes(data, index, valueStart - index);
            out.writeBytes(replacement);
            out.writeBytes(data, valueEnd, end - valueEnd);
            return out;
        }
    }

    /** The index of the quote closing a string starting at {@code from}, or -1 (none, or an escape: not an id). */
    private static int closingQuote(ByteBuf data, int from, int end) {
        for (int i = from; i < end; i++) {
            byte b = data.getByte(i);
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                return -1;
            }
        }
        return -1;
    }

    private static int indexOf(ByteBuf data, int from, int end, byte[] needle) {
        for (int i = from; i + needle.length <= end; i++) {
            if (matches(data, i, end, needle)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(ByteBuf data, int at, int end, byte[] expected) {
        if (at + expected.length > end) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (data.getByte(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(ByteBuf data, int from, int end) {
        int i = from;
        while (i < end) {
            byte b = data.getByte(i);
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
