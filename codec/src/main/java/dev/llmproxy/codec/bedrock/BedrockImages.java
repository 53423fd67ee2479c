package dev.llmproxy.codec.bedrock;

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
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * OpenAI image generation on Bedrock's image models through InvokeModel, as LiteLLM sends it:
 *
 * <ul>
 *   <li>Amazon Titan Image Generator and Nova Canvas ({@code amazon.titan-image-generator-*},
 *       {@code amazon.nova-canvas-*}): {@code {"taskType": "TEXT_IMAGE", "textToImageParams": {"text"},
 *       "imageGenerationConfig": {"numberOfImages": n, "width", "height", "quality"}}}, {@code size} split into
 *       width and height, {@code quality: "hd"} as {@code premium};
 *   <li>Stability's current models ({@code stability.sd3-*}, {@code stability.stable-image-*}): {@code {"prompt"}}.
 * </ul>
 *
 * <p>Both answer {@code {"images": ["<base64>", ...]}}, which becomes {@code data[].b64_json}.
 *
 * <p>Thread-safety: stateless.
 */
public final class BedrockImages {

    private BedrockImages() {
    }

    /** Whether llmproxy can ask a Bedrock model id for images. */
    public static boolean isImageModel(String modelId) {
        return isAmazon(modelId) || modelId.contains("stability.sd3") || modelId.contains("stability.stable-image");
    }

    private static boolean isAmazon(String modelId) {
        return modelId.contains("titan-image-generator") || modelId.contains("nova-canvas");
    }

    /**
     * Encodes an image generation request for {@code modelId}.
     *
     * @param body an OpenAI image generation request; not taken, indexes unchanged
     * @return the InvokeModel body, a new buffer owned by the caller
     * @throws InvalidRequestException when the model is not an image model, or {@code prompt} or {@code size} is bad
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, String modelId) {
        if (!isImageModel(modelId)) {
            throw new InvalidRequestException("Bedrock image generation is supported for Amazon Titan Image Generator, "
                    + "Nova Canvas and Stability (sd3, stable-image) models, not " + modelId, "model");
        }
        String prompt = null;
        int n = -1;
        String size = null;
        String quality = null;
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "prompt" -> prompt = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "n" -> n = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "size" -> size = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "quality" -> quality = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        if (prompt == null) {
            throw new InvalidRequestException("Missing required field: prompt", "prompt");
        }
        ByteBuf out = alloc.buffer(prompt.length() + 160);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (isAmazon(modelId)) {
                writeAmazon(g, prompt, n, size, quality);
            } else {
                g.writeStringProperty("prompt", prompt);
            }
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    private static void writeAmazon(JsonGenerator g, String prompt, int n, @Nullable String size,
            @Nullable String quality) {
        g.writeStringProperty("taskType", "TEXT_IMAGE");
        g.writeObjectPropertyStart("textToImageParams");
        g.writeStringProperty("text", prompt);
        g.writeEndObject();
        g.writeObjectPropertyStart("imageGenerationConfig");
        if (n > 0) {
            g.writeNumberProperty("numberOfImages", n);
        }
        if (size != null) {
            int x = size.indexOf('x');
            try {
                int width = Integer.parseInt(size.substring(0, Math.max(0, x)));
                int height = Integer.parseInt(size.substring(x + 1));
                g.writeNumberProperty("width", width);
                g.writeNumberProperty("height", height);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("size: expected <width>x<height>, got " + size, "size");
            }
        }
        if (quality != null) {
            g.writeStringProperty("quality", quality.equals("hd") || quality.equals("premium") ? "premium"
                    : "standard");
        }
        g.writeEndObject();
    }

    /**
     * Translates a successful answer into OpenAI's images answer; one without images becomes an error with status
     * 500 quoting it (or naming its {@code error}).
     *
     * @param body not taken, indexes unchanged
     * @param created the answer's {@code created}, in seconds
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, long created) {
        List<String> images = new ArrayList<>();
        String error = null;
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return BedrockErrors.translate(alloc, 500, body);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("images") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        images.add(p.getString());
                    }
                    p.skipChildren();
                } else if (name.equals("error") && value == JsonToken.VALUE_STRING) {
                    error = p.getString();
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            return BedrockErrors.translate(alloc, 500, body);
        }
        if (images.isEmpty()) {
            return error != null ? BedrockErrors.of(alloc, 500, error) : BedrockErrors.translate(alloc, 500, body);
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
}
