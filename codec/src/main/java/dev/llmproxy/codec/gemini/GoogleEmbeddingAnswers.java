package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.EmbeddingList;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * What Gemini's {@code batchEmbedContents} and Vertex AI's {@code :predict} answers share: a top-level array of
 * items, each read by its API's {@link ItemReader} into a vector and its tokens, or a Google {@code error} object;
 * anything else is an error quoting the body. The answer is OpenAI's embeddings list ({@link EmbeddingList}).
 *
 * <p>Thread-safety: stateless.
 */
final class GoogleEmbeddingAnswers {

    /** Reads one item of the answer's array. */
    @FunctionalInterface
    interface ItemReader {
        /**
         * Reads the object {@code p} is at the start of, leaving it on its end.
         *
         * @return the item's input tokens (0 when the API does not count them)
         */
        long read(JsonInput input, JsonParser p, List<String> vectors);
    }

    private GoogleEmbeddingAnswers() {
    }

    /**
     * Translates a successful answer whose items are in {@code arrayName}.
     *
     * @param body not taken, indexes unchanged
     * @param exceptionName {@code Gemini} or {@code VertexAI}, for error messages
     */
    static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, String model, String exceptionName,
            String arrayName, ItemReader items) {
        JsonInput input = JsonInput.of(body);
        List<String> vectors = new ArrayList<>();
        long tokens = 0;
        GoogleError error = null;
        boolean valid;
        try (JsonParser p = input.parser()) {
            valid = p.nextToken() == JsonToken.START_OBJECT;
            while (valid && p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(arrayName) && value == JsonToken.START_ARRAY) {
                    tokens += readItems(input, p, vectors, items);
                } else if (name.equals("error") && value == JsonToken.START_OBJECT) {
                    error = GoogleError.read(p);
                } else {
                    p.skipChildren();
                }
            }
            valid = valid && p.nextToken() == null;
        } catch (JacksonException e) {
            valid = false;
        }
        if (valid && error != null) {
            return GeminiErrors.of(alloc, error.code(), error.message(), exceptionName);
        }
        if (!valid) {
            String text = body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8);
            return GeminiErrors.of(alloc, 500, GeminiErrors.quote(exceptionName, text), exceptionName);
        }
        return new TranslatedBody(EmbeddingList.write(alloc, vectors, model, tokens), 200, Usage.of(tokens, 0));
    }

    private static long readItems(JsonInput input, JsonParser p, List<String> vectors, ItemReader items) {
        long tokens = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            tokens += items.read(input, p, vectors);
        }
        return tokens;
    }
}
