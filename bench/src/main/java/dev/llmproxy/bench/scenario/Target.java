package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.RequestTemplate;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * One side of a comparison: where chat completion requests go and which model name they carry.
 *
 * @param name label in the report, e.g. {@code direct}, {@code llmproxy} or {@code nginx}
 * @param address loopback address of the OpenAI-compatible server
 * @param model the {@code model} field of every request
 * @param process the process whose CPU time a throughput run is charged; null for the in-process mock or an
 *     external proxy of unknown pid
 */
public record Target(String name, InetSocketAddress address, String model, @Nullable ProcessStats process) {

    static final String PATH = "/v1/chat/completions";

    /** Validates the target; {@link RequestTemplate} rejects non-loopback addresses. */
    public Target {
        requireNonNull(name, "name");
        requireNonNull(address, "address");
        requireNonNull(model, "model");
    }

    /** A non-streaming chat completion request. */
    public RequestTemplate chatRequest() {
        return RequestTemplate.postJson(address, PATH,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    /** A streaming chat completion request; the upstream's default chunk count and pacing apply. */
    public RequestTemplate streamRequest() {
        return RequestTemplate.postJson(address, PATH,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}");
    }
}
