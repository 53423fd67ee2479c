package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Facts about the machine and the bench JVM, for the report. Thread-safety: stateless. */
public final class MachineInfo {

    private MachineInfo() {
    }

    /**
     * Collects CPU count and model, kernel, OS and the bench JVM's version and arguments. Call before pinning: the
     * JVM's processor count follows its affinity.
     */
    public static Map<String, String> collect() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("cores (online, before pinning)", Integer.toString(Runtime.getRuntime().availableProcessors()));
        info.put("cpu", cpuModel());
        info.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", kernel "
                + firstLine(Path.of("/proc/sys/kernel/osrelease")));
        info.put("memory", memTotal());
        info.put("bench JVM", jvm());
        info.put("bench JVM options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        return info;
    }

    /** The running JVM: vendor, version and VM name. */
    public static String jvm() {
        return System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vm.name") + ")";
    }

    private static String cpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static String memTotal() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                return String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(parts[0]) / 1048576.0);
            }
        }
        return "unknown";
    }

    private static String firstLine(Path path) {
        List<String> lines = lines(path);
        return lines.isEmpty() ? "unknown" : lines.get(0).trim();
    }

    private static List<String> lines(Path path) {
        try {
            return Files.readAllLines(path, UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }
}
