package clarimcp.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Golden transcripts (after the Go SDK's conformance txtar files): each file in
 * test/resources/transcripts holds raw client lines ("> ") and the exact server lines ("< ")
 * expected after each. Lines are sent one at a time and the replies awaited, so the order is
 * deterministic even though tool calls run on their own threads; after end of input no extra
 * line may appear.
 */
class TranscriptTest {
    record Step(String input, List<String> expected) {}

    static Path dir() {
        return Path.of(System.getProperty("clarimcp.resources", "test/resources"), "transcripts");
    }

    static List<Step> read(Path file) throws IOException {
        List<Step> steps = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) continue;
            if (line.startsWith(">")) {
                steps.add(new Step(line.length() > 1 ? line.substring(2) : "", new ArrayList<>()));
            } else if (line.startsWith("< ")) {
                steps.get(steps.size() - 1).expected().add(line.substring(2));
            } else {
                throw new IllegalArgumentException(file + ": line must start with '# ', '> ' or '< ': " + line);
            }
        }
        return steps;
    }

    @TestFactory
    @Timeout(60)
    Stream<DynamicTest> transcripts() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir())) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no transcripts in " + dir().toAbsolutePath());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    static void run(Path file) throws Exception {
        List<Step> steps = read(file);
        try (Harness h = new Harness(TestTools.all(new TestTools.Probe()))) {
            int total = 0;
            for (Step step : steps) {
                h.send(step.input());
                int from = total;
                total += step.expected().size();
                List<String> got = h.await(total);
                List<String> actual = got.subList(from, Math.min(got.size(), total));
                assertEquals(step.expected(), actual, file.getFileName() + ": after sending " + step.input());
            }
            h.eof();
            assertEquals(total, h.lines().size(), file.getFileName() + ": unexpected extra lines " + h.lines());
            assertTrue(h.stderr.toString(StandardCharsets.UTF_8).isEmpty() || file.getFileName().toString().equals("tools.txt"),
                    "only the tool that throws may write to stderr");
        }
    }
}
