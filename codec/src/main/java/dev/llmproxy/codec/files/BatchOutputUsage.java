package dev.llmproxy.codec.files;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.async.ByteArrayFeeder;

/**
 * The token usage of an OpenAI batch's output file, read as the file streams past in parts of any size: the sum of
 * {@code response.body.usage} over its JSONL lines ({@code prompt_tokens}/{@code completion_tokens}, or the Responses
 * API's {@code input_tokens}/{@code output_tokens}), and the model the first answer names. Any other file (not
 * JSONL, or lines without such usage) reads as no usage; malformed input stops the count but is never an error, as
 * the bytes are the client's to receive whatever they are.
 *
 * <p>Incremental: Jackson's non-blocking parser keeps its place between parts, so no line is ever held whole.
 *
 * <p>Thread-safety: confined to one thread.
 */
public final class BatchOutputUsage {
    private static final int CHUNK_BYTES = 16 * 1024;

    private final JsonParser parser = JsonInput.JSON.createNonBlockingByteArrayParser(ObjectReadContext.empty());
    private final ByteArrayFeeder feeder = (ByteArrayFeeder) parser.nonBlockingInputFeeder();
    private final byte[] chunk = new byte[CHUNK_BYTES];
    /** The member names of the open objects (index = depth - 1); arrays leave a null. */
    private final String[] path = new String[4];
    private int depth;
    private long promptTokens;
    private long completionTokens;
    private int answers;
    private @Nullable String model;
    private boolean failed;

    /**
     * Reads the next part of the file.
     *
     * @param part not taken, indexes unchanged
     */
    public void feed(ByteBuf part) {
        int index = part.readerIndex();
        int end = part.writerIndex();
        while (!failed && index < end) {
            int length = Math.min(CHUNK_BYTES, end - index);
            part.getBytes(index, chunk, 0, length);
            index += length;
            try {
                feeder.feedInput(chunk, 0, length);
                drain();
            } catch (JacksonException e) {
                failed = true;
            }
        }
    }

    /** The usage summed over the answers read so far, or null when none reported usage. */
    public @Nullable Usage usage() {
        return answers == 0 ? null : Usage.of(promptTokens, completionTokens);
    }

    /** The number of answers that reported usage. */
    public int answers() {
        return answers;
    }

    /** The model the first answer with usage named, or null. */
    public @Nullable String model() {
        return model;
    }

    private void drain() {
        JsonToken token;
        while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
            switch (token) {
                case START_OBJECT, START_ARRAY -> {
                    if (depth < path.length) {
                        path[depth] = token == JsonToken.START_OBJECT ? parser.streamReadContext().getParent()
                                .currentName() : null;
                    }
                    depth++;
                }
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_NUMBER_INT -> number(parser.currentName());
                case VALUE_STRING -> {
                    if (model == null && depth == 3 && "model".equals(parser.currentName()) && inBody()) {
                        model = parser.getString();
                    }
                }
                default -> {
                }
            }
        }
    }

    private void number(@Nullable String name) {
        if (depth != 4 || name == null || !"usage".equals(path[3]) || !inBody()) {
            return;
        }
        switch (name) {
            case "prompt_tokens", "input_tokens" -> {
                promptTokens += parser.getValueAsLong(0);
                answers++;
            }
            case "completion_tokens", "output_tokens" -> completionTokens += parser.getValueAsLong(0);
            default -> {
            }
        }
    }

    /** Whether the open objects are a line's {@code response.body} (and below). */
    private boolean inBody() {
        return path[0] == null && "response".equals(path[1]) && "body".equals(path[2]);
    }
}
