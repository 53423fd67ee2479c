package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.netty.handler.codec.http.multipart.MixedAttribute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * OpenAI's Files and Batch APIs as the mock answers them, in OpenAI's documented wire format: {@code /v1/files}
 * (multipart upload with {@code purpose} and {@code file}, list, retrieve, {@code /content}, delete) and
 * {@code /v1/batches} (create, retrieve, list, cancel), also under Azure's {@code /openai/...} (its
 * {@code api-version} query is ignored). A batch moves one step each time it is retrieved ({@code validating},
 * {@code in_progress}, {@code completed}); when it completes, its output file holds one chat completion per input
 * line, each with usage (10 prompt and 5 completion tokens), so that tests can follow a batch's whole life.
 *
 * <p>Thread-safety: thread-safe (concurrent maps; a batch's steps are taken under its own lock).
 */
final class MockFiles {
    static final int PROMPT_TOKENS = 10;
    static final int COMPLETION_TOKENS = 5;
    private static final JsonFactory JSON = new JsonFactory();

    private final long createdAt;
    private final AtomicLong serial = new AtomicLong();
    private final ConcurrentMap<String, StoredFile> files = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Batch> batches = new ConcurrentHashMap<>();

    MockFiles(long createdAt) {
        this.createdAt = createdAt;
    }

    /** A stored file; {@code bytes} is empty for one too large to keep, whose size is {@code size}. */
    private record StoredFile(String id, String purpose, String filename, byte[] bytes, long size) {}

    private static final class Batch {
        final String id;
        final String inputFileId;
        final String endpoint;
        final String window;
        String status = "validating";
        @Nullable String outputFileId;
        int total;

        Batch(String id, String inputFileId, String endpoint, String window) {
            this.id = id;
            this.inputFileId = inputFileId;
            this.endpoint = endpoint;
            this.window = window;
        }
    }

    /** Whether {@code path} (no query) is one of these APIs'. */
    static boolean handles(String path) {
        String rest = path.startsWith("/openai/") ? path.substring(7) : path;
        rest = rest.startsWith("/v1/") ? rest.substring(3) : rest;
        return rest.equals("/files") || rest.startsWith("/files/") || rest.equals("/batches")
                || rest.startsWith("/batches/");
    }

    /** Files stored so far, by id (tests read what the proxy uploaded). */
    int fileCount() {
        return files.size();
    }

    /** The answer to {@code request}; the request is not taken. */
    FullHttpResponse answer(FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        if (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        String rest = path.startsWith("/openai/") ? path.substring(7) : path;
        rest = rest.startsWith("/v1/") ? rest.substring(3) : rest;
        if (request.headers().get(HttpHeaderNames.AUTHORIZATION) == null && request.headers().get("api-key") == null) {
            return error(HttpResponseStatus.UNAUTHORIZED, "You didn't provide an API key.", null);
        }
        HttpMethod method = request.method();
        if (rest.equals("/files")) {
            return method.equals(HttpMethod.POST) ? upload(request)
                    : method.equals(HttpMethod.GET) ? listFiles() : notAllowed(method, path);
        }
        if (rest.startsWith("/files/")) {
            String id = rest.substring("/files/".length());
            if (id.endsWith("/content")) {
                return method.equals(HttpMethod.GET) ? content(id.substring(0, id.length() - 8))
                        : notAllowed(method, path);
            }
            if (method.equals(HttpMethod.GET)) {
                StoredFile file = files.get(id);
                return file == null ? noSuchFile(id) : json(HttpResponseStatus.OK, fileObject(file));
            }
            if (method.equals(HttpMethod.DELETE)) {
                StoredFile file = files.remove(id);
                return file == null ? noSuchFile(id) : json(HttpResponseStatus.OK,
                        "{\"id\":" + quote(id) + ",\"object\":\"file\",\"deleted\":true}");
            }
            return notAllowed(method, path);
        }
        if (rest.equals("/batches")) {
            return method.equals(HttpMethod.POST) ? createBatch(request)
                    : method.equals(HttpMethod.GET) ? listBatches() : notAllowed(method, path);
        }
        String id = rest.substring("/batches/".length());
        if (id.endsWith("/cancel")) {
            return method.equals(HttpMethod.POST) ? cancel(id.substring(0, id.length() - 7))
                    : notAllowed(method, path);
        }
        return method.equals(HttpMethod.GET) ? retrieveBatch(id) : notAllowed(method, path);
    }

    private FullHttpResponse upload(FullHttpRequest request) {
        HttpPostRequestDecoder decoder;
        try {
            decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), request);
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException e) {
            return error(HttpResponseStatus.BAD_REQUEST, "Could not parse multipart form", null);
        }
        try {
            String purpose = null;
            FileUpload upload = null;
            List<String> unknown = new ArrayList<>();
            for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
                if (data instanceof FileUpload file && data.getName().equals("file")) {
                    upload = file;
                } else if (data instanceof MixedAttribute || data.getHttpDataType()
                        == InterfaceHttpData.HttpDataType.Attribute) {
                    String value = ((io.netty.handler.codec.http.multipart.Attribute) data).getValue();
                    switch (data.getName()) {
                        case "purpose" -> purpose = value;
                        case "expires_after[anchor]", "expires_after[seconds]" -> {
                        }
                        default -> unknown.add(data.getName());
                    }
                }
            }
            if (!unknown.isEmpty()) {
                return error(HttpResponseStatus.BAD_REQUEST, "Unrecognized request argument supplied: "
                        + String.join(", ", unknown), unknown.get(0));
            }
            if (purpose == null || upload == null) {
                return error(HttpResponseStatus.BAD_REQUEST, "Missing required parameter: '"
                        + (purpose == null ? "purpose" : "file") + "'.", purpose == null ? "purpose" : "file");
            }
            byte[] bytes = upload.get();
            StoredFile file = new StoredFile(newFileId(), purpose, upload.getFilename(), bytes, bytes.length);
            files.put(file.id(), file);
            return json(HttpResponseStatus.OK, fileObject(file));
        } catch (IOException | HttpPostRequestDecoder.ErrorDataDecoderException e) {
            return error(HttpResponseStatus.BAD_REQUEST, "Could not read the uploaded file", "file");
        } finally {
            decoder.destroy();
        }
    }

    /**
     * The answer to an upload too large to keep, read as it streamed in ({@link MockUploadHandler}): its text fields
     * (from the body's first bytes) checked as OpenAI checks them, and a file stored with its size but no content.
     */
    FullHttpResponse uploadedUnkept(HttpHeaders headers, Map<String, String> fields, @Nullable String filename,
            long size) {
        if (headers.get(HttpHeaderNames.AUTHORIZATION) == null && headers.get("api-key") == null) {
            return error(HttpResponseStatus.UNAUTHORIZED, "You didn't provide an API key.", null);
        }
        List<String> unknown = new ArrayList<>();
        for (String name : fields.keySet()) {
            if (!name.equals("purpose") && !name.startsWith("expires_after[")) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            return error(HttpResponseStatus.BAD_REQUEST, "Unrecognized request argument supplied: "
                    + String.join(", ", unknown), unknown.get(0));
        }
        String purpose = fields.get("purpose");
        if (purpose == null || filename == null) {
            return error(HttpResponseStatus.BAD_REQUEST, "Missing required parameter: '"
                    + (purpose == null ? "purpose" : "file") + "'.", purpose == null ? "purpose" : "file");
        }
        StoredFile file = new StoredFile(newFileId(), purpose, filename, new byte[0], size);
        files.put(file.id(), file);
        return json(HttpResponseStatus.OK, fileObject(file));
    }

    private String newFileId() {
        return "file-" + Long.toString(36 * 36 * 36 + serial.incrementAndGet(), 36) + "mock";
    }

    private FullHttpResponse listFiles() {
        List<String> items = new ArrayList<>();
        for (StoredFile file : files.values()) {
            items.add(fileObject(file));
        }
        return json(HttpResponseStatus.OK, "{\"object\":\"list\",\"data\":[" + String.join(",", items)
                + "],\"has_more\":false}");
    }

    private FullHttpResponse content(String id) {
        StoredFile file = files.get(id);
        if (file == null) {
            return noSuchFile(id);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(file.bytes()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, file.bytes().length);
        return response;
    }

    private FullHttpResponse createBatch(FullHttpRequest request) {
        Map<String, String> members = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(),
                request.content().toString(StandardCharsets.UTF_8))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return error(HttpResponseStatus.BAD_REQUEST, "Invalid body", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    members.put(key, p.getString());
                } else {
                    p.skipChildren();
                    members.put(key, "");
                }
            }
        } catch (JacksonException e) {
            return error(HttpResponseStatus.BAD_REQUEST, "We could not parse the JSON body of your request.", null);
        }
        for (String key : members.keySet()) {
            if (!List.of("input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after")
                    .contains(key)) {
                return error(HttpResponseStatus.BAD_REQUEST, "Unrecognized request argument supplied: " + key, key);
            }
        }
        String input = members.get("input_file_id");
        if (input == null || !files.containsKey(input)) {
            return error(HttpResponseStatus.BAD_REQUEST, "Invalid 'input_file_id': '" + input + "'.",
                    "input_file_id");
        }
        Batch batch = new Batch("batch_" + Long.toString(36 * 36 * 36 + serial.incrementAndGet(), 36) + "mock",
                input, members.getOrDefault("endpoint", "/v1/chat/completions"),
                members.getOrDefault("completion_window", "24h"));
        batches.put(batch.id, batch);
        return json(HttpResponseStatus.OK, batchObject(batch));
    }

    private FullHttpResponse retrieveBatch(String id) {
        Batch batch = batches.get(id);
        if (batch == null) {
            return error(HttpResponseStatus.NOT_FOUND, "No batch found with id '" + id + "'.", null);
        }
        synchronized (batch) {
            switch (batch.status) {
                case "validating" -> batch.status = "in_progress";
                case "in_progress" -> complete(batch);
                case "cancelling" -> batch.status = "cancelled";
                default -> {
                }
            }
            return json(HttpResponseStatus.OK, batchObject(batch));
        }
    }

    private FullHttpResponse cancel(String id) {
        Batch batch = batches.get(id);
        if (batch == null) {
            return error(HttpResponseStatus.NOT_FOUND, "No batch found with id '" + id + "'.", null);
        }
        synchronized (batch) {
            if (batch.status.equals("completed") || batch.status.equals("cancelled")) {
                return error(HttpResponseStatus.CONFLICT, "Cannot cancel a batch with status '" + batch.status
                        + "'.", null);
            }
            batch.status = "cancelling";
            return json(HttpResponseStatus.OK, batchObject(batch));
        }
    }

    private FullHttpResponse listBatches() {
        List<String> items = new ArrayList<>();
        for (Batch batch : batches.values()) {
            synchronized (batch) {
                items.add(batchObject(batch));
            }
        }
        return json(HttpResponseStatus.OK, "{\"object\":\"list\",\"data\":[" + String.join(",", items)
                + "],\"has_more\":false}");
    }

    /** Answers every input line with a chat completion and stores them as the batch's output file. */
    private void complete(Batch batch) {
        StoredFile input = files.get(batch.inputFileId);
        StringBuilder out = new StringBuilder();
        int line = 0;
        for (String request : input == null ? new String[0]
                : new String(input.bytes(), StandardCharsets.UTF_8).split("\n")) {
            if (request.isBlank()) {
                continue;
            }
            line++;
            String customId = member(request, "custom_id");
            String model = member(request, "model");
            out.append("{\"id\":\"batch_req_").append(line).append("\",\"custom_id\":").append(quote(customId))
                    .append(",\"response\":{\"status_code\":200,\"request_id\":\"req_").append(line)
                    .append("\",\"body\":{\"id\":\"chatcmpl-").append(line)
                    .append("\",\"object\":\"chat.completion\",\"created\":").append(createdAt)
                    .append(",\"model\":").append(quote(model)).append(",\"choices\":[{\"index\":0,\"message\":"
                            + "{\"role\":\"assistant\",\"content\":\"Batch answer ").append(line)
                    .append("\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":").append(PROMPT_TOKENS)
                    .append(",\"completion_tokens\":").append(COMPLETION_TOKENS).append(",\"total_tokens\":")
                    .append(PROMPT_TOKENS + COMPLETION_TOKENS).append("}}},\"error\":null}\n");
        }
        byte[] outputBytes = out.toString().getBytes(StandardCharsets.UTF_8);
        StoredFile output = new StoredFile("file-" + Long.toString(36 * 36 * 36 + serial.incrementAndGet(), 36)
                + "out", "batch_output", batch.id + "_output.jsonl", outputBytes, outputBytes.length);
        files.put(output.id(), output);
        batch.outputFileId = output.id();
        batch.total = line;
        batch.status = "completed";
    }

    /** The string value of the first {@code "key": "..."} member anywhere in a JSON line, or {@code ""}. */
    private static String member(String json, String key) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                if (token == JsonToken.VALUE_STRING && key.equals(p.currentName())) {
                    return p.getString();
                }
            }
        } catch (JacksonException e) {
            return "";
        }
        return "";
    }

    private String fileObject(StoredFile file) {
        return "{\"id\":" + quote(file.id()) + ",\"object\":\"file\",\"bytes\":" + file.size()
                + ",\"created_at\":" + createdAt + ",\"filename\":" + quote(file.filename()) + ",\"purpose\":"
                + quote(file.purpose()) + ",\"status\":\"processed\",\"expires_at\":null,\"status_details\":null}";
    }

    private String batchObject(Batch batch) {
        boolean completed = batch.status.equals("completed");
        return "{\"id\":" + quote(batch.id) + ",\"object\":\"batch\",\"endpoint\":" + quote(batch.endpoint)
                + ",\"errors\":null,\"input_file_id\":" + quote(batch.inputFileId) + ",\"completion_window\":"
                + quote(batch.window) + ",\"status\":" + quote(batch.status) + ",\"output_file_id\":"
                + (batch.outputFileId == null ? "null" : quote(batch.outputFileId))
                + ",\"error_file_id\":null,\"created_at\":" + createdAt + ",\"in_progress_at\":null,"
                + "\"expires_at\":" + (createdAt + 86400) + ",\"finalizing_at\":null,\"completed_at\":"
                + (completed ? Long.toString(createdAt) : "null") + ",\"failed_at\":null,\"expired_at\":null,"
                + "\"cancelling_at\":null,\"cancelled_at\":null,\"request_counts\":{\"total\":" + batch.total
                + ",\"completed\":" + (completed ? batch.total : 0) + ",\"failed\":0},\"metadata\":null}";
    }

    private static FullHttpResponse noSuchFile(String id) {
        return error(HttpResponseStatus.NOT_FOUND, "No such File object: " + id, "id");
    }

    private static FullHttpResponse notAllowed(HttpMethod method, String path) {
        return error(HttpResponseStatus.METHOD_NOT_ALLOWED, "Invalid method for URL (" + method + " " + path + ")",
                null);
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message, @Nullable String param) {
        return json(status, "{\"error\":{\"message\":" + quote(message) + ",\"type\":\"invalid_request_error\","
                + "\"param\":" + (param == null ? "null" : quote(param)) + ",\"code\":null}}");
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    private static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
