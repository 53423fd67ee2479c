package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonLiteral;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The parts of one {@code GenerateContentResponse} (a whole body, or one event of a stream) that the translation uses,
 * read with one streaming parser. Texts are kept as {@link JsonLiteral}s over the input bytes, never decoded; they are
 * valid while those bytes are. Reused for every event of a stream: {@link #reset} recycles the candidates and parts.
 *
 * <p>Unknown fields are skipped (Google adds fields without notice); values of the wrong type are ignored.
 *
 * <p>Thread-safety: none; one instance per response.
 */
final class ResponseReader {
    static final int TEXT = 0;
    static final int THOUGHT = 1;
    static final int CALL = 2;

    private final List<Candidate> candidates = new ArrayList<>(1);
    private int candidateCount;
    private byte[] array = new byte[0];
    private int offset;
    final UsageMetadata usage;
    String responseId = "";
    String modelVersion = "";
    /** Whether {@link #responseId} and {@link #modelVersion} are decoded; a stream needs them once. */
    boolean readIds = true;
    @Nullable String blockReason;
    @Nullable GoogleError error;

    /** @param usage receives each {@code usageMetadata} report (shared across a stream's events) */
    ResponseReader(UsageMetadata usage) {
        this.usage = usage;
    }

    void reset(byte[] input, int inputOffset) {
        array = input;
        offset = inputOffset;
        candidateCount = 0;
        responseId = "";
        modelVersion = "";
        blockReason = null;
        error = null;
    }

    int candidateCount() {
        return candidateCount;
    }

    Candidate candidate(int i) {
        return candidates.get(i);
    }

    /** Reads the object {@code p} is at the start of; a top-level {@code error} object sets {@link #error}. */
    void read(JsonParser p) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "candidates" -> readCandidates(p);
                case "usageMetadata" -> usage.read(p);
                case "responseId" -> responseId = readIds ? string(p, "") : skip(p);
                case "modelVersion" -> modelVersion = readIds ? string(p, "") : skip(p);
                case "promptFeedback" -> readPromptFeedback(p);
                case "error" -> {
                    if (value == JsonToken.START_OBJECT) {
                        error = GoogleError.read(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private void readCandidates(JsonParser p) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            if (candidates.size() == candidateCount) {
                candidates.add(new Candidate());
            }
            Candidate candidate = candidates.get(candidateCount);
            candidate.reset(candidateCount);
            candidateCount++;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "index" -> candidate.index = value == JsonToken.VALUE_NUMBER_INT
                            ? Math.max(0, p.getValueAsInt(0)) : candidate.index;
                    case "finishReason" -> candidate.finishReason = value == JsonToken.VALUE_STRING
                            ? p.getString() : null;
                    case "content" -> readContent(p, candidate);
                    default -> p.skipChildren();
                }
            }
        }
    }

    private void readContent(JsonParser p, Candidate candidate) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        candidate.hasContent = true;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("parts") && p.currentToken() == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        readPart(p, candidate);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private void readPart(JsonParser p, Candidate candidate) {
        PartView part = candidate.nextPart();
        boolean thought = false;
        boolean hasText = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "text" -> {
                    part.text.read(p, array, offset);
                    hasText = value == JsonToken.VALUE_STRING;
                }
                case "thought" -> thought = value == JsonToken.VALUE_TRUE;
                case "thoughtSignature", "thought_signature" -> part.signature = stringOrNull(p);
                case "functionCall", "function_call" -> readCall(p, part);
                default -> p.skipChildren();
            }
        }
        if (part.kind == CALL) {
            return;
        }
        if (!hasText) {
            // inlineData, executableCode and other part types have no chat.completion form.
            candidate.partCount--;
            return;
        }
        part.kind = thought ? THOUGHT : TEXT;
    }

    private void readCall(JsonParser p, PartView part) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        part.kind = CALL;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name")) {
                part.name = string(p, "");
            } else if (field.equals("args") && value == JsonToken.START_OBJECT) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getByteOffset();
                part.args = new String(array, offset + start, end - start, java.nio.charset.StandardCharsets.UTF_8);
            } else {
                p.skipChildren();
            }
        }
    }

    private void readPromptFeedback(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("blockReason")) {
                blockReason = stringOrNull(p);
            } else {
                p.skipChildren();
            }
        }
    }

    private static String skip(JsonParser p) {
        p.skipChildren();
        return "";
    }

    private static String string(JsonParser p, String otherwise) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        p.skipChildren();
        return otherwise;
    }

    private static @Nullable String stringOrNull(JsonParser p) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        p.skipChildren();
        return null;
    }

    /** One candidate of a response: its index, finish reason and the parts that have a chat form. */
    static final class Candidate {
        private final List<PartView> parts = new ArrayList<>(1);
        int partCount;
        int index;
        boolean hasContent;
        @Nullable String finishReason;

        void reset(int position) {
            partCount = 0;
            index = position;
            hasContent = false;
            finishReason = null;
        }

        PartView part(int i) {
            return parts.get(i);
        }

        private PartView nextPart() {
            if (parts.size() == partCount) {
                parts.add(new PartView());
            }
            PartView part = parts.get(partCount++);
            part.reset();
            return part;
        }
    }

    /** One part: a text or thought ({@link #text}), or a function call ({@link #name}, {@link #args}). */
    static final class PartView {
        final JsonLiteral text = new JsonLiteral();
        int kind;
        String name = "";
        String args = "{}";
        @Nullable String signature;

        void reset() {
            text.clear();
            kind = TEXT;
            name = "";
            args = "{}";
            signature = null;
        }
    }
}
