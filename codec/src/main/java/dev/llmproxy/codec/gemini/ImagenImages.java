package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * OpenAI image generation on Google's Imagen models ({@code imagen-*}), through the {@code :predict} API that Vertex
 * AI and the Gemini API (AI Studio) both serve, as LiteLLM calls it: {@code {"instances": [{"prompt"}],
 * "parameters": {"sampleCount": n, "aspectRatio"}}}, OpenAI's {@code size} mapped to the nearest aspect ratio Imagen
 * names (LiteLLM's table: {@code 1024x1024} 1:1, {@code 1792x1024} 16:9, {@code 1024x1792} 9:16, {@code 1280x896}
 * 4:3, {@code 896x1280} 3:4; any other size 1:1). The answer's {@code predictions[].bytesBase64Encoded} become
 * {@code data[].b64_json}; Imagen has no URLs to give, whatever {@code response_format} asked.
 *
 * <p>Thread-safety: stateless.
 */
public final class ImagenImages {
    private static final Map<String, String> ASPECT_RATIOS = Map.of("1024x1024", "1:1", "1792x1024", "16:9",
            "1024x1792", "9:16", "1280x896", "4:3", "896x1280", "3:4");

    private ImagenImages() {
    }

    /** Whether a model is one of Imagen's (answered through {@code :predict}, not {@code generateContent}). */
    public static boolean isImagen(String model) {
        return model.contains("imagen");
    }

    /**
     * Encodes an image generation request as a {@code :predict} request.
     *
     * @param body an OpenAI image generation request; not taken, indexes unchanged
     * @return the request, a new buffer owned by the caller
     * @throws InvalidRequestException when {@code prompt} is missing or not a string
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body) {
        String prompt = null;
        int n = 1;
        String aspectRatio = null;
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "prompt" -> prompt = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "n" -> n = value == JsonToken.VALUE_NUMBER_INT ? Math.max(1, p.getIntValue()) : 1;
                    case "size" -> aspectRatio = value == JsonToken.VALUE_STRING
                            ? ASPECT_RATIOS.getOrDefault(p.getString(), "1:1") : null;
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        if (prompt == null) {
            throw new InvalidRequestException("Missing required field: prompt", "prompt");
        }
        ByteBuf out = alloc.buffer(prompt.length() + 96);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayPropertyStart("instances");
            g.writeStartObject();
            g.writeStringProperty("prompt", prompt);
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectPropertyStart("parameters");
            g.writeNumberProperty("sampleCount", n);
            if (aspectRatio != null) {
                g.writeStringProperty("aspectRatio", aspectRatio);
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
     * Translates a successful {@code :predict} answer into OpenAI's images answer; a body that is not one becomes an
     * OpenAI error with status 500, an {@code error} object the error it names.
     *
     * @param body not taken, indexes unchanged
     * @param created the answer's {@code created}, in seconds
     * @param exceptionName {@code VertexAI} or {@code Gemini}, for error messages
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, long created, String exceptionName) {
        List<String> images = new ArrayList<>();
        GoogleError error = null;
        boolean valid;
        try (JsonParser p = JsonInput.of(body).parser()) {
            valid = p.nextToken() == JsonToken.START_OBJECT;
            while (valid && p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("predictions") && value == JsonToken.START_ARRAY) {
                    readPredictions(p, images);
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
        int size = 48;
        for (String image : images) {
            size += image.length() + 20;
        }
        ByteBuf out = alloc.buffer(size);
        out.writeCharSequence("{\"created\":", StandardCharsets.US_ASCII);
        JsonText.writeLong(out, created);
        out.writeCharSequence(",\"data\":[", StandardCharsets.US_ASCII);
        for (int i = 0; i < images.size(); i++) {
            out.writeCharSequence(i == 0 ? "{\"b64_json\":" : ",{\"b64_json\":", StandardCharsets.US_ASCII);
            JsonText.writeString(out, images.get(i));
            out.writeByte('}');
        }
        out.writeCharSequence("]}", StandardCharsets.US_ASCII);
        return new TranslatedBody(out, 200, null);
    }

    /** {@code [{"bytesBase64Encoded": "...", "mimeType": "image/png"}, ...]}; a filtered prediction has no bytes. */
    private static void readPredictions(JsonParser p, List<String> images) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_STRING && name.equals("bytesBase64Encoded")) {
                    images.add(p.getString());
                } else {
                    p.skipChildren();
                }
            }
        }
    }
}
