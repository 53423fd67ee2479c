package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * OpenAI's {@code /v1/audio/speech} on Gemini's TTS models ({@code gemini-2.5-flash-preview-tts}), as LiteLLM
 * translates it (provider spec, section 3.9): the request becomes a {@code generateContent} request whose one user
 * turn is the text, with {@code responseModalities: ["AUDIO"]} and the voice as a prebuilt voice name (passed as it
 * is: Gemini's voices are Kore, Puck, Zephyr...); the answer's base64 PCM16 ({@code inlineData}) is decoded and
 * returned raw ({@code response_format: "pcm"}, {@code audio/pcm}) or behind a WAV header (otherwise,
 * {@code audio/wav}). Any other {@code response_format} is refused with LiteLLM's message.
 *
 * <p>The WAV header's sample rate is the one Gemini names in the part's MIME type ({@code audio/L16;rate=24000});
 * LiteLLM always writes 24000, which is what Gemini sends today. Thread-safety: stateless.
 */
public final class GeminiSpeech {
    /** {@code audio/pcm}: the raw samples. */
    public static final String PCM = "audio/pcm";
    /** {@code audio/wav}: the samples behind a RIFF/WAVE header. */
    public static final String WAV = "audio/wav";

    private static final int DEFAULT_SAMPLE_RATE = 24000;
    private static final int WAV_HEADER_BYTES = 44;

    private GeminiSpeech() {
    }

    /**
     * Encodes a speech request as a {@code generateContent} request.
     *
     * @param body an OpenAI speech request ({@code input}, {@code voice}, {@code response_format}); not taken,
     *     indexes unchanged
     * @return the Gemini request, a new buffer owned by the caller
     * @throws InvalidRequestException when {@code input} is missing or not a string, or the format is neither
     *     {@code wav} nor {@code pcm}
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, String model) {
        Request request = read(body);
        if (request.format != null && !request.format.equals("wav") && !request.format.equals("pcm")) {
            throw new InvalidRequestException("Gemini TTS only produces raw PCM16 audio, so response_format='"
                    + request.format + "' is not supported. Supported response formats: pcm, wav.",
                    "response_format");
        }
        if (request.input == null) {
            throw new InvalidRequestException("input: the text to speak is a required string", "input");
        }
        ByteBuf out = alloc.buffer(request.input.length() + 256);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayPropertyStart("contents");
            g.writeStartObject();
            g.writeStringProperty("role", "user");
            g.writeArrayPropertyStart("parts");
            g.writeStartObject();
            g.writeStringProperty("text", request.input);
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectPropertyStart("generationConfig");
            g.writeArrayPropertyStart("responseModalities");
            g.writeString("AUDIO");
            g.writeEndArray();
            if (request.voice != null) {
                g.writeObjectPropertyStart("speechConfig");
                g.writeObjectPropertyStart("voiceConfig");
                g.writeObjectPropertyStart("prebuiltVoiceConfig");
                g.writeStringProperty("voiceName", request.voice);
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * Whether the client asked for raw PCM ({@code response_format: "pcm"}) rather than WAV.
     *
     * @param body the client's speech request; not taken, indexes unchanged
     */
    public static boolean wantsRawPcm(ByteBuf body) {
        try {
            return "pcm".equals(read(body).format);
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    /**
     * Translates a successful {@code generateContent} answer into the audio bytes. An answer without audio (a prompt
     * Gemini blocked, a model that answered text) or that is not JSON becomes an OpenAI error with status 500.
     *
     * @param body not taken, indexes unchanged
     * @param rawPcm what {@link #wantsRawPcm} answered for the request
     * @param exceptionName {@code Gemini} or {@code VertexAI}, for error messages
     * @return the audio (its content type from {@link #contentType}) or the error, owned by the caller
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, boolean rawPcm,
            String exceptionName) {
        Answer answer = new Answer();
        GoogleError error = null;
        boolean valid;
        try (JsonParser p = JsonInput.of(body).parser()) {
            valid = p.nextToken() == JsonToken.START_OBJECT;
            while (valid && p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("candidates") && value == JsonToken.START_ARRAY) {
                    answer.readCandidates(p);
                } else if (name.equals("usageMetadata")) {
                    answer.usage.read(p);
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
        if (answer.audio.size() == 0) {
            return GeminiErrors.of(alloc, 500, "Gemini returned no audio"
                    + (answer.finishReason != null ? " (finishReason " + answer.finishReason + ")" : ""),
                    exceptionName);
        }
        int samples = answer.audio.size();
        ByteBuf out = alloc.buffer(samples + (rawPcm ? 0 : WAV_HEADER_BYTES));
        if (!rawPcm) {
            writeWavHeader(out, samples, answer.sampleRate);
        }
        out.writeBytes(answer.audio.toByteArray());
        return new TranslatedBody(out, 200, answer.usage.seen ? answer.usage.toUsage() : null);
    }

    /** The content type of what {@link #translate} returns on success. */
    public static String contentType(boolean rawPcm) {
        return rawPcm ? PCM : WAV;
    }

    /** A canonical 44-byte RIFF/WAVE header for mono 16-bit PCM. */
    static void writeWavHeader(ByteBuf out, int dataBytes, int sampleRate) {
        out.writeBytes(ascii("RIFF"));
        out.writeIntLE(36 + dataBytes);
        out.writeBytes(ascii("WAVE"));
        out.writeBytes(ascii("fmt "));
        out.writeIntLE(16);
        out.writeShortLE(1);
        out.writeShortLE(1);
        out.writeIntLE(sampleRate);
        out.writeIntLE(sampleRate * 2);
        out.writeShortLE(2);
        out.writeShortLE(16);
        out.writeBytes(ascii("data"));
        out.writeIntLE(dataBytes);
    }

    private static Request read(ByteBuf body) {
        Request request = new Request();
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                String text = value == JsonToken.VALUE_STRING ? p.getString() : null;
                switch (name) {
                    case "input" -> request.input = text;
                    case "voice" -> request.voice = text;
                    case "response_format" -> request.format = text == null ? null : text.toLowerCase(Locale.ROOT);
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        return request;
    }

    /** Reads {@code rate=N} from a MIME type such as {@code audio/L16;codec=pcm;rate=24000}. */
    static int sampleRate(@Nullable String mimeType) {
        if (mimeType == null) {
            return DEFAULT_SAMPLE_RATE;
        }
        for (String parameter : mimeType.split(";")) {
            String trimmed = parameter.trim();
            if (trimmed.regionMatches(true, 0, "rate=", 0, 5)) {
                try {
                    int rate = Integer.parseInt(trimmed.substring(5).trim());
                    return rate > 0 ? rate : DEFAULT_SAMPLE_RATE;
                } catch (NumberFormatException e) {
                    return DEFAULT_SAMPLE_RATE;
                }
            }
        }
        return DEFAULT_SAMPLE_RATE;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final class Request {
        @Nullable String input;
        @Nullable String voice;
        @Nullable String format;
    }

    /** The audio parts of every candidate, in order, with the first part's sample rate. */
    private static final class Answer {
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final UsageMetadata usage = new UsageMetadata();
        int sampleRate = DEFAULT_SAMPLE_RATE;
        boolean rateSeen;
        @Nullable String finishReason;

        void readCandidates(JsonParser p) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("content") && value == JsonToken.START_OBJECT) {
                        readContent(p);
                    } else if (name.equals("finishReason") && value == JsonToken.VALUE_STRING) {
                        finishReason = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
            }
        }

        private void readContent(JsonParser p) {
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY && name.equals("parts")) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        readPart(p);
                    }
                    if (p.currentToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readPart(JsonParser p) {
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ((name.equals("inlineData") || name.equals("inline_data")) && value == JsonToken.START_OBJECT) {
                    readInlineData(p);
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readInlineData(JsonParser p) {
            String mimeType = null;
            byte[] data = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ((name.equals("mimeType") || name.equals("mime_type")) && value == JsonToken.VALUE_STRING) {
                    mimeType = p.getString();
                } else if (name.equals("data") && value == JsonToken.VALUE_STRING) {
                    data = p.getBinaryValue();
                } else {
                    p.skipChildren();
                }
            }
            if (data == null || mimeType != null && !mimeType.regionMatches(true, 0, "audio/", 0, 6)) {
                return;
            }
            if (!rateSeen) {
                rateSeen = true;
                sampleRate = sampleRate(mimeType);
            }
            audio.write(data, 0, data.length);
        }
    }
}
