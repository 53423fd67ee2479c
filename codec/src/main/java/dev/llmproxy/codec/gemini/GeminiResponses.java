package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Translates whole Gemini responses into OpenAI's shapes: a {@code GenerateContentResponse} into a
 * {@code chat.completion} (provider spec, section 3.5), a {@code batchEmbedContents} response into an embeddings list
 * (section 3.8).
 *
 * <p>One choice per candidate: its text parts joined into {@code content} ({@code null} when there are none), its
 * thought parts into {@code reasoning_content}, its {@code functionCall}s into {@code tool_calls} (with the call's
 * {@code thoughtSignature}, if any, appended to the id after {@code __thought__}, so that the client sends it back
 * with the call, as Gemini 3 requires); {@code finish_reason} is {@code tool_calls} when there are calls, else
 * Gemini's reason mapped. A blocked prompt ({@code promptFeedback.blockReason}) or candidate gives one choice with
 * {@code content: null} and {@code finish_reason: content_filter}. Usage as {@link UsageMetadata} counts it. The
 * {@code id} is Gemini's {@code responseId}; {@code model} its {@code modelVersion}, else the deployment's model.
 *
 * <p>Texts are copied as Gemini escaped them, never decoded.
 *
 * <p>Thread-safety: stateless.
 */
public final class GeminiResponses {
    private static final byte[] OBJECT = ascii(",\"object\":\"chat.completion\",\"created\":");
    private static final byte[] MODEL = ascii(",\"model\":");
    private static final byte[] CHOICES = ascii(",\"choices\":[");
    private static final byte[] INDEX = ascii("{\"index\":");
    private static final byte[] MESSAGE = ascii(",\"message\":{\"role\":\"assistant\",\"content\":");
    private static final byte[] REASONING = ascii(",\"reasoning_content\":");
    private static final byte[] TOOL_CALLS = ascii(",\"tool_calls\":[");
    private static final byte[] CALL_ID = ascii("{\"id\":");
    private static final byte[] CALL_NAME = ascii(",\"type\":\"function\",\"function\":{\"name\":");
    private static final byte[] CALL_ARGUMENTS = ascii(",\"arguments\":");
    private static final byte[] FINISH = ascii("},\"logprobs\":null,\"finish_reason\":");
    private static final byte[] USAGE = ascii("],\"usage\":");
    private static final byte[] NULL = ascii("null");

    private GeminiResponses() {
    }

    /**
     * Translates a successful {@code generateContent} body. Never throws: an error object in the body becomes the
     * OpenAI error with its code, and a body that is not a Gemini response becomes a 500 {@code api_error}.
     *
     * @param body not taken, indexes unchanged
     * @param created the {@code created} time to report, epoch seconds
     * @param model the model to report when the body names none (the deployment's)
     * @param exceptionName {@code Gemini} or {@code VertexAI}, for error messages
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, long created, String model,
            String exceptionName) {
        JsonInput input = JsonInput.of(body);
        ResponseReader response = new ResponseReader(new UsageMetadata());
        response.reset(input.array(), input.offset());
        boolean valid;
        try (JsonParser p = input.parser()) {
            valid = p.nextToken() == JsonToken.START_OBJECT;
            if (valid) {
                response.read(p);
                valid = p.nextToken() == null;
            }
        } catch (JacksonException e) {
            valid = false;
        }
        GoogleError error = response.error;
        if (valid && error != null) {
            return GeminiErrors.of(alloc, error.code(), error.message(), exceptionName);
        }
        if (!valid) {
            String text = body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8);
            return GeminiErrors.of(alloc, 500, GeminiErrors.quote(exceptionName, text), exceptionName);
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        write(out, response, created, model);
        return new TranslatedBody(out, 200, response.usage.toUsage());
    }

    /**
     * Translates a successful {@code batchEmbedContents} body into OpenAI's embeddings list. Gemini reports no usage
     * for it: the usage is zero.
     *
     * @param body not taken, indexes unchanged
     */
    public static TranslatedBody translateEmbeddings(ByteBufAllocator alloc, ByteBuf body, String model,
            String exceptionName) {
        return GoogleEmbeddingAnswers.translate(alloc, body, model, exceptionName, "embeddings",
                GeminiResponses::readEmbedding);
    }

    /** {@code {"values": [...]}}; no tokens. */
    private static long readEmbedding(JsonInput input, JsonParser p, List<String> vectors) {
        String values = "[]";
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("values") && value == JsonToken.START_ARRAY) {
                values = input.capture(p).json();
            } else {
                p.skipChildren();
            }
        }
        vectors.add(values);
        return 0;
    }

    private static void write(ByteBuf out, ResponseReader response, long created, String model) {
        out.writeCharSequence("{\"id\":", StandardCharsets.US_ASCII);
        JsonText.writeString(out, response.responseId.isEmpty() ? "chatcmpl-gemini-" + created : response.responseId);
        out.writeBytes(OBJECT);
        JsonText.writeLong(out, created);
        out.writeBytes(MODEL);
        JsonText.writeString(out, response.modelVersion.isEmpty() ? model : response.modelVersion);
        out.writeBytes(CHOICES);
        int written = 0;
        int calls = 0;
        for (int c = 0; c < response.candidateCount(); c++) {
            ResponseReader.Candidate candidate = response.candidate(c);
            if (!candidate.hasContent && !FinishReasons.isBlocked(candidate.finishReason)) {
                continue;
            }
            if (written++ > 0) {
                out.writeByte(',');
            }
            calls = writeChoice(out, response.responseId, candidate, calls);
        }
        if (written == 0) {
            out.writeBytes(INDEX).writeByte('0').writeBytes(MESSAGE).writeBytes(NULL).writeBytes(FINISH);
            String reason = response.blockReason != null ? "content_filter"
                    : response.candidateCount() > 0 ? FinishReasons.finishReason(response.candidate(0).finishReason)
                    : "stop";
            JsonText.writeString(out, reason);
            out.writeByte('}');
        }
        out.writeBytes(USAGE);
        response.usage.writeTo(out);
        out.writeByte('}');
    }

    /** Writes one choice; returns the number of tool calls written so far in the response. */
    private static int writeChoice(ByteBuf out, String responseId, ResponseReader.Candidate candidate, int calls) {
        out.writeBytes(INDEX);
        JsonText.writeLong(out, candidate.index);
        out.writeBytes(MESSAGE);
        boolean blocked = FinishReasons.isBlocked(candidate.finishReason);
        if (blocked || !joinTexts(out, candidate, ResponseReader.TEXT)) {
            out.writeBytes(NULL);
        }
        if (!blocked && hasKind(candidate, ResponseReader.THOUGHT)) {
            out.writeBytes(REASONING);
            joinTexts(out, candidate, ResponseReader.THOUGHT);
        }
        boolean anyCall = false;
        for (int i = 0; !blocked && i < candidate.partCount; i++) {
            ResponseReader.PartView part = candidate.part(i);
            if (part.kind != ResponseReader.CALL) {
                continue;
            }
            if (anyCall) {
                out.writeByte(',');
            } else {
                out.writeBytes(TOOL_CALLS);
            }
            anyCall = true;
            out.writeBytes(CALL_ID);
            JsonText.writeString(out, toolCallId(responseId, calls++, part.signature));
            out.writeBytes(CALL_NAME);
            JsonText.writeString(out, part.name);
            out.writeBytes(CALL_ARGUMENTS);
            JsonText.writeString(out, part.args);
            out.writeCharSequence("}}", StandardCharsets.US_ASCII);
        }
        if (anyCall) {
            out.writeByte(']');
        }
        out.writeBytes(FINISH);
        String reason = anyCall && !blocked && !"MAX_TOKENS".equals(candidate.finishReason) ? "tool_calls"
                : FinishReasons.finishReason(candidate.finishReason);
        JsonText.writeString(out, reason);
        out.writeByte('}');
        return calls;
    }

    /**
     * The id of a tool call: unique within the response, and carrying Gemini's thought signature after
     * {@value GeminiContents#THOUGHT_MARKER} so that {@link GeminiContents} can give it back.
     */
    static String toolCallId(String responseId, int n, @Nullable String signature) {
        String id = "call_" + (responseId.isEmpty() ? "gemini" : responseId) + "_" + n;
        return signature == null ? id : id + GeminiContents.THOUGHT_MARKER + signature;
    }

    private static boolean hasKind(ResponseReader.Candidate candidate, int kind) {
        for (int i = 0; i < candidate.partCount; i++) {
            if (candidate.part(i).kind == kind) {
                return true;
            }
        }
        return false;
    }

    /** Writes the texts of {@code kind} joined into one JSON string; false (nothing written) when there are none. */
    private static boolean joinTexts(ByteBuf out, ResponseReader.Candidate candidate, int kind) {
        boolean any = false;
        for (int i = 0; i < candidate.partCount; i++) {
            ResponseReader.PartView part = candidate.part(i);
            if (part.kind != kind) {
                continue;
            }
            if (!any) {
                out.writeByte('"');
                any = true;
            }
            part.text.writeContentTo(out);
        }
        if (any) {
            out.writeByte('"');
        }
        return any;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
