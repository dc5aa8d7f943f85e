package clarimcp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs {@link ParseThroughput} in the image's JVM (and, for comparison, the bench JDK's defaults). */
final class ParseRun {
    private ParseRun() {}

    static void measure(Path image, Path benchClasses, int mb, Report report) throws Exception {
        Map<String, String> inImage = run(List.of(image.resolve("bin/java").toString(), "--add-modules", "clarimcp",
                "--add-exports", "clarimcp/clarimcp.json=ALL-UNNAMED", "-cp", benchClasses.toString(),
                ParseThroughput.class.getName(), Integer.toString(mb)));
        Path jdkJava = Path.of(System.getProperty("java.home"), "bin", "java");
        Map<String, String> defaults = run(List.of(jdkJava.toString(), "-cp", System.getProperty("java.class.path"),
                ParseThroughput.class.getName(), Integer.toString(mb)));
        report.row("JSON parse of a " + mb + " MB forecast export (image JVM): first / median of next "
                + inImage.get("runs"), rate(inImage, "first_ms") + " / " + rate(inImage, "median_ms"),
                "same code on JDK defaults (C2, G1): " + rate(defaults, "first_ms") + " / " + rate(defaults, "median_ms"));
        Map<String, String> streamed = run(List.of(image.resolve("bin/java").toString(), "--add-modules", "clarimcp",
                "--add-exports", "clarimcp/clarimcp.json=ALL-UNNAMED", "-cp", benchClasses.toString(),
                ParseThroughput.class.getName(), Integer.toString(mb), "stream"));
        report.row("JSON streaming parse of the same export, entries handed out (image JVM): first / median of next "
                + streamed.get("runs"), rate(streamed, "first_ms") + " / " + rate(streamed, "median_ms"),
                "JsonParser.parseStreaming from an InputStream: the path for exports, no tree of the entries");
    }

    private static String rate(Map<String, String> r, String key) {
        double mb = Long.parseLong(r.get("bytes")) / 1e6;
        long ms = Long.parseLong(r.get(key));
        return String.format(Locale.ROOT, "%d ms (%.0f MB/s)", ms, mb / Math.max(1, ms) * 1000);
    }

    private static Map<String, String> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        Map<String, String> values = new HashMap<>();
        for (String kv : output.lines().reduce((a, b) -> b).orElse("").split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!values.containsKey("median_ms")) throw new IllegalStateException("unexpected output: " + output);
        return values;
    }

    /** JAVA_VERSION of the image's release file. */
    static String jdkVersion(Path image) throws IOException {
        for (String l : Files.readAllLines(image.resolve("release"))) {
            if (l.startsWith("JAVA_VERSION=")) return l.substring("JAVA_VERSION=".length()).replace("\"", "");
        }
        return "?";
    }
}
