package dev.restvisor.core.cpu.exec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The instruction forms on which a differential test found the core differing from the host: how many cases
 * of each, and the first three of each as examples.
 */
final class FormDifferences {
    private final TreeMap<String, Integer> counts = new TreeMap<>();
    private final List<String> examples = new ArrayList<>();

    /** Counts a differing case of {@code form}; {@code example} describes it (asked for a form's first three only). */
    void add(String form, Supplier<String> example) {
        if (counts.merge(form, 1, Integer::sum) <= 3) {
            examples.add(example.get());
        }
    }

    /** How many forms differed. */
    int forms() {
        return counts.size();
    }

    /**
     * Writes {@code header}, the count of each differing form and the examples to target/{@code file}, and fails
     * the test, with that report, if any form differed.
     */
    void report(String header, String file) throws IOException {
        StringBuilder report = new StringBuilder(header);
        counts.forEach((k, v) -> report.append(String.format("  %-24s %d%n", k, v)));
        examples.forEach(e -> report.append("  ").append(e).append('\n'));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", file), report);
        assertTrue(counts.isEmpty(), report.toString());
    }
}
