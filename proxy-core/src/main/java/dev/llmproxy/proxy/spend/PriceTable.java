package dev.llmproxy.proxy.spend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Model prices in LiteLLM's {@code model_prices_and_context_window.json} format: an object whose keys are model names
 * ({@code gpt-4o}, {@code gemini/gemini-2.5-flash}, {@code openrouter/...}) and whose values carry
 * {@code input_cost_per_token} and {@code output_cost_per_token} (numbers, or strings such as {@code "3e-7"}). Other
 * fields of an entry are skipped, and entries without either price are left out, so LiteLLM's full file can be read
 * as it is.
 *
 * <p>Thread-safety: immutable after loading.
 */
public final class PriceTable {
    /** The table shipped with llmproxy (a copy of {@code conf/model_prices.json}). */
    static final String BUNDLED = "model_prices.json";
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Map<String, ModelPrice> prices;

    private PriceTable(Map<String, ModelPrice> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** The table shipped with llmproxy. */
    public static PriceTable bundled() {
        try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled price table " + BUNDLED + " is missing from the jar");
            }
            return new PriceTable(read(in.readAllBytes(), BUNDLED));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The shipped table overlaid with the file at {@code path} (LiteLLM's full cost map, or a file of your own).
     *
     * @throws IllegalArgumentException if the file cannot be read or is not a JSON object of model entries
     */
    public static PriceTable bundledWith(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read the price table: " + e.getMessage(), e);
        }
        Map<String, ModelPrice> merged = new HashMap<>(bundled().prices);
        merged.putAll(read(bytes, path.toString()));
        return new PriceTable(merged);
    }

    /** A table of exactly these prices (tests). */
    public static PriceTable of(Map<String, ModelPrice> prices) {
        return new PriceTable(prices);
    }

    /** The price of {@code model}, or null when the table has none. */
    public @Nullable ModelPrice find(String model) {
        return prices.get(model);
    }

    /** How many models the table prices. */
    public int size() {
        return prices.size();
    }

    /** Reads the prices of an entry object (also a deployment's {@code litellm_params}); null when it has none. */
    static @Nullable ModelPrice fromEntry(Map<String, @Nullable Object> entry) {
        Double input = number(entry.get("input_cost_per_token"));
        Double output = number(entry.get("output_cost_per_token"));
        if (input == null && output == null) {
            return null;
        }
        return new ModelPrice(input == null ? 0 : input, output == null ? 0 : output);
    }

    private static @Nullable Double number(@Nullable Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Map<String, ModelPrice> read(byte[] json, String source) {
        Map<String, ModelPrice> out = new HashMap<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(source + ": expected a JSON object of models");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String model = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                Map<String, @Nullable Object> entry = new HashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                        entry.put(field, p.getDoubleValue());
                    } else if (value == JsonToken.VALUE_STRING) {
                        entry.put(field, p.getString());
                    } else {
                        p.skipChildren();
                    }
                }
                ModelPrice price = fromEntry(entry);
                if (price != null) {
                    out.put(model, price);
                }
            }
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": not a price table in LiteLLM's format: " + e.getMessage(),
                    e);
        }
        return out;
    }
}
