package dev.llmproxy.codec.bedrock;

import static dev.llmproxy.codec.internal.JsonTree.list;
import static dev.llmproxy.codec.internal.JsonTree.map;
import static dev.llmproxy.codec.internal.JsonTree.object;
import static dev.llmproxy.codec.internal.JsonTree.string;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.json.DropParams;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectWriteContext;

/**
 * Encodes an OpenAI chat completions request as a Bedrock Converse request body, following LiteLLM's rules (provider
 * spec, section 5.3). The same body serves {@code /converse} and {@code /converse-stream}.
 *
 * <ul>
 *   <li>{@code system} messages → {@code system: [{text}]};
 *   <li>{@code user}/{@code assistant} turns → {@code messages} with content blocks, consecutive turns of one role
 *       merged and empty text dropped; {@code image_url} data URLs → {@code image: {format, source: {bytes}}};
 *       assistant {@code tool_calls} → {@code toolUse}; {@code tool} messages → {@code toolResult} blocks in a user
 *       turn; {@code thinking_blocks} → {@code reasoningContent};
 *   <li>{@code max_tokens}/{@code max_completion_tokens}, {@code temperature}, {@code top_p}, {@code stop} →
 *       {@code inferenceConfig};
 *   <li>{@code tools} → {@code toolConfig.tools[].toolSpec}; {@code tool_choice} {@code auto|required|{function}} →
 *       {@code auto|any|tool};
 *   <li>{@code cache_control} (Anthropic's prompt caching mark) on a content part, a message, an assistant's tool
 *       call or a tool → a {@code cachePoint} block right after what it marks, in {@code system}, the turn's
 *       {@code content} or {@code toolConfig.tools}; its {@code ttl} ({@code 5m}, {@code 1h}) is kept for the Claude
 *       models that take one (4.5 and later), as LiteLLM does;
 *   <li>{@code reasoning_effort} → {@code additionalModelRequestFields.thinking} with LiteLLM's budgets,
 *       {@code thinking}, {@code top_k} and any other parameter that is not OpenAI's →
 *       {@code additionalModelRequestFields} as they are (Converse refuses unknown top-level fields); Converse's own
 *       fields ({@code guardrailConfig}, {@code performanceConfig}, {@code requestMetadata}...) pass through.
 * </ul>
 *
 * <p>Converse takes media only as bytes: an {@code image_url} that is a web URL must have been downloaded by the
 * caller, who passes it back as a data URL; the first encoding without it throws a {@link MediaUrlsNeeded} naming
 * every such URL of the request. Other data ({@code file.file_data}, or an {@code image_url} data URL of a PDF or
 * text type) becomes a {@code document} block. {@code tool_choice: "none"}, {@code response_format} and OpenAI
 * parameters with no Converse equivalent are refused with LiteLLM's {@code UnsupportedParamsError} unless
 * {@code drop_params} drops them.
 *
 * <p>Thread-safety: stateless.
 */
public final class ConverseRequestEncoder {
    /** OpenAI parameters that mean nothing to Converse; refused unless dropped. */
    private static final Set<String> UNSUPPORTED = Set.of("n", "presence_penalty", "frequency_penalty", "logit_bias",
            "logprobs", "top_logprobs", "seed", "modalities", "audio", "prediction", "response_format");
    /** Parameters read by the translation, or LiteLLM's own, never sent. */
    private static final Set<String> CONSUMED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "stop", "temperature", "top_p", "stream", "stream_options", "tools", "tool_choice", "reasoning_effort",
            "thinking", "top_k", "user", "metadata", "parallel_tool_calls", "extra_headers", "drop_params",
            "additional_drop_params", "allowed_openai_params", "service_tier", "store", "safety_identifier",
            "prompt_cache_key", "verbosity", "web_search_options", "functions", "function_call",
            "additionalModelRequestFields");
    /** Converse's own top-level fields a client may send as they are. */
    private static final Set<String> CONVERSE_FIELDS = Set.of("guardrailConfig", "performanceConfig",
            "requestMetadata", "promptVariables", "additionalModelResponseFieldPaths");
    private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");
    /** Converse's document formats by media type. */
    private static final Map<String, String> DOCUMENT_FORMATS = Map.of("application/pdf", "pdf", "text/csv", "csv",
            "application/msword", "doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
            "application/vnd.ms-excel", "xls", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx", "text/html", "html", "text/plain", "txt", "text/markdown", "md");
    private static final Map<String, Long> BUDGETS = Map.of("minimal", 128L, "low", 1024L, "medium", 2048L,
            "high", 4096L);

    private ConverseRequestEncoder() {
    }

    /**
     * Encodes {@code body}.
     *
     * @param body an OpenAI chat request that is valid JSON; not taken, indexes unchanged
     * @param model the Bedrock model id, for error messages
     * @param dropParams the deployment's {@code drop_params} (the request's own is read too)
     * @param additionalDropParams parameters to leave out whatever their value
     * @return the Converse request, a new buffer from {@code alloc} owned by the caller
     * @throws InvalidRequestException for a parameter or value Converse cannot take
     * @throws IllegalArgumentException if {@code body} is not valid JSON
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, String model, boolean dropParams,
            Set<String> additionalDropParams) {
        return encode(alloc, body, model, dropParams, additionalDropParams, Map.of());
    }

    /**
     * Encodes {@code body}, whose web image URLs the caller has downloaded.
     *
     * @param body an OpenAI chat request that is valid JSON; not taken, indexes unchanged
     * @param model the Bedrock model id, for error messages
     * @param dropParams the deployment's {@code drop_params} (the request's own is read too)
     * @param additionalDropParams parameters to leave out whatever their value
     * @param downloaded each web URL of the request's images, mapped to its content as a base64 data URL
     * @return the Converse request, a new buffer from {@code alloc} owned by the caller
     * @throws MediaUrlsNeeded when the request has web URLs that {@code downloaded} lacks
     * @throws InvalidRequestException for a parameter or value Converse cannot take
     * @throws IllegalArgumentException if {@code body} is not valid JSON
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, String model, boolean dropParams,
            Set<String> additionalDropParams, Map<String, String> downloaded) {
        Set<String> dropped = new HashSet<>(additionalDropParams);
        boolean drop = DropParams.readRequest(body, dropped) || dropParams;
        Map<String, Object> request;
        try (JsonParser p = JsonInput.of(body).parser()) {
            p.nextToken();
            request = object(JsonTree.read(p));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("request body is not valid JSON", e);
        }
        if (request == null) {
            throw new IllegalArgumentException("request body is not a JSON object");
        }
        dropped.forEach(request::remove);
        List<String> unsupported = new ArrayList<>(0);
        for (String name : request.keySet()) {
            if (UNSUPPORTED.contains(name) && !(name.equals("n") && JsonTree.number(request.get(name)) == 1)) {
                unsupported.add(name);
            }
        }
        if ("none".equals(request.get("tool_choice"))) {
            unsupported.add("tool_choice");
        }
        if (!unsupported.isEmpty() && !drop) {
            throw InvalidRequestException.unsupportedParams("bedrock", unsupported, model);
        }
        if ("none".equals(request.get("tool_choice"))) {
            request.remove("tool_choice");
        }
        Media media = new Media(downloaded);
        Map<String, Object> converse = converse(request, media, new CachePoints(model));
        if (!media.missing.isEmpty()) {
            throw new MediaUrlsNeeded(List.copyOf(media.missing));
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            JsonTree.write(g, converse);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    private static Map<String, Object> converse(Map<String, Object> request, Media media, CachePoints cache) {
        List<Object> system = new ArrayList<>();
        List<Object> messages = new ArrayList<>();
        for (Object item : list(request.get("messages"))) {
            Map<String, Object> message = object(item);
            if (message != null) {
                addMessage(message, system, messages, media, cache);
            }
        }
        Map<String, Object> converse = map("messages", messages);
        if (!system.isEmpty()) {
            converse.put("system", system);
        }
        Map<String, Object> inference = inferenceConfig(request);
        if (!inference.isEmpty()) {
            converse.put("inferenceConfig", inference);
        }
        Map<String, Object> toolConfig = toolConfig(request, cache);
        if (toolConfig != null) {
            converse.put("toolConfig", toolConfig);
        }
        Map<String, Object> additional = additionalFields(request);
        for (Map.Entry<String, Object> param : request.entrySet()) {
            String name = param.getKey();
            if (CONVERSE_FIELDS.contains(name)) {
                converse.put(name, param.getValue());
            } else if (!CONSUMED.contains(name) && !UNSUPPORTED.contains(name)) {
                // Model-specific parameters (LiteLLM's rule): Converse refuses unknown top-level fields.
                additional.put(name, param.getValue());
            }
        }
        Map<String, Object> given = object(request.get("additionalModelRequestFields"));
        if (given != null) {
            additional.putAll(given);
        }
        if (!additional.isEmpty()) {
            converse.put("additionalModelRequestFields", additional);
        }
        return converse;
    }

    private static void addMessage(Map<String, Object> message, List<Object> system, List<Object> messages,
            Media media, CachePoints cache) {
        String role = string(message.get("role"));
        Object content = message.get("content");
        if ("system".equals(role) || "developer".equals(role)) {
            List<Object> blocks = blocks(content, null, cache);
            cache.mark(blocks, message);
            system.addAll(blocks);
            return;
        }
        List<Object> blocks = new ArrayList<>();
        String converseRole = "user";
        if ("assistant".equals(role)) {
            converseRole = "assistant";
            for (Object thinking : list(message.get("thinking_blocks"))) {
                Map<String, Object> block = object(thinking);
                if (block != null && "thinking".equals(block.get("type"))) {
                    Map<String, Object> text = map("text", block.getOrDefault("thinking", ""));
                    if (block.get("signature") instanceof String signature) {
                        text.put("signature", signature);
                    }
                    blocks.add(map("reasoningContent", map("reasoningText", text)));
                }
            }
            blocks.addAll(blocks(content, null, cache));
            cache.mark(blocks, message);
            for (Object call : list(message.get("tool_calls"))) {
                Map<String, Object> toolCall = object(call);
                Map<String, Object> function = toolCall == null ? null : object(toolCall.get("function"));
                if (toolCall != null && function != null) {
                    blocks.add(map("toolUse", map("toolUseId", toolCall.getOrDefault("id", ""),
                            "name", function.getOrDefault("name", ""), "input", arguments(function.get("arguments")))));
                    cache.mark(blocks, toolCall);
                }
            }
        } else if ("tool".equals(role) || "function".equals(role)) {
            List<Object> result = new ArrayList<>();
            boolean marked = false;
            for (Object block : blocks(content, null, cache)) {
                Map<String, Object> text = object(block);
                marked |= text != null && text.containsKey("cachePoint");
                if (text != null && text.containsKey("text")) {
                    result.add(text);
                }
            }
            if (result.isEmpty()) {
                // Bedrock refuses a toolResult without content; LiteLLM sends a single space the same way.
                result.add(map("text", " "));
            }
            Object id = message.containsKey("tool_call_id") ? message.get("tool_call_id") : message.get("name");
            blocks.add(map("toolResult", map("toolUseId", id == null ? "" : id, "content", result)));
            if (marked) {
                // A cachePoint cannot sit inside a toolResult: a marked part of the result marks the whole result.
                blocks.add(cache.point(null));
            }
            cache.mark(blocks, message);
        } else {
            blocks.addAll(blocks(content, media, cache));
            cache.mark(blocks, message);
        }
        if (blocks.isEmpty()) {
            return;
        }
        Map<String, Object> last = messages.isEmpty() ? null : object(messages.get(messages.size() - 1));
        if (last != null && converseRole.equals(last.get("role"))) {
            list(last.get("content")).addAll(blocks);
        } else {
            messages.add(map("role", converseRole, "content", blocks));
        }
    }

    /** Content blocks of an OpenAI {@code content} (a string or a list of parts); media only where it is given. */
    private static List<Object> blocks(@Nullable Object content, @Nullable Media media, CachePoints cache) {
        List<Object> blocks = new ArrayList<>();
        if (content instanceof String text) {
            if (!text.isEmpty()) {
                blocks.add(map("text", text));
            }
            return blocks;
        }
        for (Object item : list(content)) {
            Map<String, Object> part = object(item);
            if (part == null) {
                continue;
            }
            String type = string(part.get("type"));
            if ("text".equals(type) && part.get("text") instanceof String text && !text.isEmpty()) {
                blocks.add(map("text", text));
            } else if ("image_url".equals(type) && media != null) {
                Map<String, Object> holder = object(part.get("image_url"));
                media.add(blocks, holder != null ? string(holder.get("url")) : string(part.get("image_url")));
            } else if ("file".equals(type) && media != null) {
                Map<String, Object> file = object(part.get("file"));
                media.add(blocks, file != null ? string(file.get("file_data")) : null);
            }
            cache.mark(blocks, part);
        }
        return blocks;
    }

    /** A tool call's {@code arguments} (a JSON string) as the object Converse wants; {@code {}} when not JSON. */
    private static Object arguments(@Nullable Object arguments) {
        if (!(arguments instanceof String text) || text.isBlank()) {
            return map();
        }
        try (JsonParser p = JsonInput.JSON.createParser(tools.jackson.core.ObjectReadContext.empty(), text)) {
            p.nextToken();
            Object value = JsonTree.read(p);
            return object(value) != null ? value : map();
        } catch (JacksonException | IllegalArgumentException e) {
            return map();
        }
    }

    private static Map<String, Object> inferenceConfig(Map<String, Object> request) {
        Map<String, Object> config = map();
        Object maxTokens = request.containsKey("max_completion_tokens") ? request.get("max_completion_tokens")
                : request.get("max_tokens");
        if (maxTokens instanceof RawJson) {
            config.put("maxTokens", maxTokens);
        }
        if (request.get("temperature") instanceof RawJson temperature) {
            config.put("temperature", temperature);
        }
        if (request.get("top_p") instanceof RawJson topP) {
            config.put("topP", topP);
        }
        Object stop = request.get("stop");
        List<Object> sequences = new ArrayList<>();
        if (stop instanceof String s && !s.isEmpty()) {
            sequences.add(s);
        }
        for (Object item : list(stop)) {
            if (item instanceof String s && !s.isEmpty()) {
                sequences.add(s);
            }
        }
        if (!sequences.isEmpty()) {
            config.put("stopSequences", sequences);
        }
        return config;
    }

    private static @Nullable Map<String, Object> toolConfig(Map<String, Object> request, CachePoints cache) {
        List<Object> tools = new ArrayList<>();
        for (Object item : list(request.get("tools"))) {
            Map<String, Object> tool = object(item);
            Map<String, Object> function = tool == null ? null : object(tool.get("function"));
            if (tool == null || function == null || !(function.get("name") instanceof String name)) {
                continue;
            }
            Object description = function.get("description") instanceof String d && !d.isEmpty() ? d : name;
            Map<String, Object> parameters = object(function.get("parameters"));
            Object schema = parameters != null ? parameters : map("type", "object", "properties", map());
            tools.add(map("toolSpec", map("name", name, "description", description,
                    "inputSchema", map("json", schema))));
            cache.mark(tools, tool.containsKey("cache_control") ? tool : function);
        }
        if (tools.isEmpty()) {
            return null;
        }
        Map<String, Object> config = map("tools", tools);
        Object choice = request.get("tool_choice");
        if ("auto".equals(choice)) {
            config.put("toolChoice", map("auto", map()));
        } else if ("required".equals(choice)) {
            config.put("toolChoice", map("any", map()));
        } else {
            Map<String, Object> named = object(choice);
            Map<String, Object> function = named == null ? null : object(named.get("function"));
            if (function != null) {
                Object name = function.get("name");
                config.put("toolChoice", map("tool", map("name", name == null ? "" : name)));
            }
        }
        return config;
    }

    private static Map<String, Object> additionalFields(Map<String, Object> request) {
        Map<String, Object> fields = map();
        if (request.get("top_k") instanceof RawJson topK) {
            fields.put("top_k", topK);
        }
        Object thinking = request.get("thinking");
        if (object(thinking) != null) {
            fields.put("thinking", thinking);
        } else if (request.get("reasoning_effort") instanceof String effort && BUDGETS.containsKey(effort)) {
            fields.put("thinking", map("type", "enabled", "budget_tokens",
                    new RawJson(Long.toString(BUDGETS.get(effort)))));
        }
        return fields;
    }

    /**
     * The media of one request: data URLs become image or document blocks, web URLs are looked up among the
     * downloaded ones, and those missing are collected for {@link MediaUrlsNeeded}.
     */
    private static final class Media {
        private final Map<String, String> downloaded;
        private final Set<String> missing = new LinkedHashSet<>();
        private int documents;

        Media(Map<String, String> downloaded) {
            this.downloaded = downloaded;
        }

        void add(List<Object> blocks, @Nullable String url) {
            if (url == null) {
                throw new InvalidRequestException("An image_url or file part needs a url or file_data", "messages");
            }
            String data = url;
            if (!url.startsWith("data:")) {
                if (!url.startsWith("http://") && !url.startsWith("https://")) {
                    throw new InvalidRequestException("Bedrock media must be an http(s) URL or a base64 data URL",
                            "messages");
                }
                data = downloaded.get(url);
                if (data == null) {
                    missing.add(url);
                    return;
                }
            }
            int comma = data.indexOf(',');
            int semicolon = data.indexOf(';');
            if (comma < 0 || semicolon < 0 || semicolon > comma || !data.regionMatches(semicolon, ";base64", 0, 7)) {
                throw new InvalidRequestException("A data URL must be base64: data:<media type>;base64,...",
                        "messages");
            }
            String mediaType = data.substring(5, semicolon).toLowerCase(Locale.ROOT);
            String bytes = data.substring(comma + 1);
            String format = imageFormat(mediaType);
            if (format != null) {
                blocks.add(map("image", map("format", format, "source", map("bytes", bytes))));
                return;
            }
            String document = DOCUMENT_FORMATS.get(mediaType);
            if (document == null) {
                throw new InvalidRequestException("Bedrock takes png, jpeg, gif or webp images and pdf, csv, doc, "
                        + "docx, xls, xlsx, html, txt or md documents, not " + mediaType, "messages");
            }
            // Converse wants each document of a request named, and the names distinct.
            blocks.add(map("document", map("format", document, "name",
                    "DocumentPDFmessages_" + documents++, "source", map("bytes", bytes))));
        }
    }

    /**
     * LiteLLM's {@code cache_control} → {@code cachePoint} rule for one request: a point after each marked block,
     * never two in a row, and never one with nothing before it to cache.
     */
    private static final class CachePoints {
        private static final Set<String> TTLS = Set.of("5m", "1h");
        private final boolean takesTtl;

        CachePoints(String model) {
            this.takesTtl = takesTtl(model);
        }

        /** Adds a {@code cachePoint} to {@code blocks} when {@code marked} has a {@code cache_control}. */
        void mark(List<Object> blocks, Map<String, Object> marked) {
            Object control = marked.get("cache_control");
            if (control == null || control == JsonTree.NULL || blocks.isEmpty()) {
                return;
            }
            Map<String, Object> last = object(blocks.get(blocks.size() - 1));
            if (last != null && last.containsKey("cachePoint")) {
                return;
            }
            blocks.add(point(object(control)));
        }

        Map<String, Object> point(@Nullable Map<String, Object> control) {
            Map<String, Object> point = map("type", "default");
            if (takesTtl && control != null && control.get("ttl") instanceof String ttl && TTLS.contains(ttl)) {
                point.put("ttl", ttl);
            }
            return map("cachePoint", point);
        }

        /** Claude 4.5 and later on Bedrock take a cache point's {@code ttl}; older models refuse it. */
        private static boolean takesTtl(String model) {
            String id = model.toLowerCase(Locale.ROOT);
            if (!id.contains("claude")) {
                return false;
            }
            for (String family : new String[] {"sonnet-4-", "opus-4-", "haiku-4-"}) {
                int at = id.indexOf(family);
                if (at >= 0 && at + family.length() < id.length()) {
                    char minor = id.charAt(at + family.length());
                    // "claude-sonnet-4-20250514" is 4.0: its next part is a date, not a minor version.
                    boolean dated = at + family.length() + 1 < id.length()
                            && Character.isDigit(id.charAt(at + family.length() + 1));
                    return !dated && minor >= '5' && minor <= '9';
                }
            }
            return false;
        }
    }

    /** Converse's image format of {@code mediaType}, or {@code null} when it is not an image Converse takes. */
    public static @Nullable String imageFormat(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT);
        if (!type.startsWith("image/")) {
            return null;
        }
        String format = type.substring(6);
        format = format.equals("jpg") ? "jpeg" : format;
        return IMAGE_FORMATS.contains(format) ? format : null;
    }
}
