package dev.llmproxy.proxy.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A Prometheus text (0.0.4) or OpenMetrics exposition parsed back into families and samples, for tests. Counters are
 * keyed by their name without {@code _total}, as LiteLLM declares them; samples keep their full names. Strict: a
 * line it cannot read, a sample outside a family, or a sample name the family's type does not allow fails the test.
 */
public final class Exposition {
    private final Map<String, Family> families;

    private Exposition(Map<String, Family> families) {
        this.families = families;
    }

    /** Parses {@code text}. */
    public static Exposition parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Family current = null;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.equals("# EOF")) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                help.put(baseName(parts[0]), parts.length > 1 ? parts[1] : "");
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                String type = parts[1];
                String name = type.equals("counter") ? baseName(parts[0]) : parts[0];
                current = new Family(name, type, new ArrayList<>());
                if (families.put(name, current) != null) {
                    throw new IllegalArgumentException("family declared twice: " + name);
                }
                continue;
            }
            if (line.startsWith("#")) {
                throw new IllegalArgumentException("unexpected comment: " + line);
            }
            if (current == null) {
                throw new IllegalArgumentException("sample before any # TYPE: " + line);
            }
            Sample sample = sample(line);
            if (!current.allows(sample.name())) {
                throw new IllegalArgumentException("sample " + sample.name() + " in " + current.type() + " family "
                        + current.name());
            }
            current.samples().add(sample);
        }
        for (String name : help.keySet()) {
            if (!families.containsKey(name)) {
                throw new IllegalArgumentException("# HELP without # TYPE: " + name);
            }
        }
        return new Exposition(families);
    }

    /** Every family, by name (counters without {@code _total}). */
    public Map<String, Family> families() {
        return families;
    }

    /** The family {@code name}; fails when absent. */
    public Family family(String name) {
        Family family = families.get(name);
        if (family == null) {
            throw new AssertionError("no family " + name + " in " + families.keySet());
        }
        return family;
    }

    /** The samples of family {@code name}; empty when absent (the exposition leaves out families without samples). */
    public List<Sample> samples(String name) {
        Family family = families.get(name);
        return family == null ? List.of() : family.samples();
    }

    /** The sum of the values of the samples named {@code sampleName} whose labels match all of {@code labels}. */
    public double sum(String sampleName, Map<String, String> labels) {
        String family = sampleName.replaceAll("_(total|bucket|count|sum)$", "");
        Family f = families.get(family);
        if (f == null) {
            return 0;
        }
        return f.samples().stream()
                .filter(s -> s.name().equals(sampleName))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value)
                .sum();
    }

    private static String baseName(String name) {
        return name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space;
        String name;
        Map<String, String> labels = new TreeMap<>();
        if (brace < 0) {
            space = line.indexOf(' ');
            name = line.substring(0, space);
        } else {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            space = i + 1;
            if (line.charAt(space) != ' ') {
                throw new IllegalArgumentException("no value after labels: " + line);
            }
        }
        String[] rest = line.substring(space + 1).split(" ");
        return new Sample(name, labels, parseValue(rest[0]));
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** One family: its name (counters without {@code _total}), type and samples in exposition order. */
    public record Family(String name, String type, List<Sample> samples) {
        boolean allows(String sample) {
            Predicate<String> suffix = s -> sample.equals(name + s);
            return switch (type) {
                case "counter" -> suffix.test("_total") || suffix.test("_created");
                case "histogram" -> suffix.test("_bucket") || suffix.test("_count") || suffix.test("_sum")
                        || suffix.test("_created");
                default -> suffix.test("");
            };
        }

        /** The label names of the samples (without {@code le}); fails when samples disagree. */
        public List<String> labelNames() {
            List<String> names = null;
            for (Sample sample : samples) {
                List<String> these = sample.labels().keySet().stream().filter(n -> !n.equals("le")).sorted().toList();
                if (names != null && !names.equals(these)) {
                    throw new AssertionError(name + ": samples with different label names " + names + ", " + these);
                }
                names = these;
            }
            return names == null ? List.of() : names;
        }

        /** The {@code le} bounds of the first series' buckets, in order, {@code +Inf} included. */
        public List<Double> bucketBounds() {
            Map<String, String> first = null;
            List<Double> bounds = new ArrayList<>();
            for (Sample sample : samples) {
                if (!sample.name().endsWith("_bucket")) {
                    continue;
                }
                Map<String, String> series = new TreeMap<>(sample.labels());
                series.remove("le");
                if (first == null) {
                    first = series;
                }
                if (series.equals(first)) {
                    bounds.add(parseValue(sample.labels().get("le")));
                }
            }
            return bounds;
        }
    }

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}
}
