package clarimcp.image;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command of an image to its end with stdin from a file (so it sees end of input at once after the
 * given lines), stdout and stderr to files. For checks that need the whole stderr, such as JVM logs.
 */
record ImageRun(int exit, List<String> stdout, String stderr) {
    /** One JVM start and a few messages; generous for a loaded 2-core machine. */
    private static final long RUN_TIMEOUT_SECONDS = 60;

    static ImageRun run(List<String> command, Map<String, String> env, List<String> stdinLines, Path dir) throws Exception {
        Path in = Files.createTempFile(dir, "in", ".txt");
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Files.write(in, stdinLines, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        pb.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not exit within " + RUN_TIMEOUT_SECONDS + " s");
        }
        return new ImageRun(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static List<String> command(Path program, String... args) {
        List<String> c = new ArrayList<>(List.of(program.toString()));
        c.addAll(List.of(args));
        return c;
    }

    /** The directory of the image the tests run: build/image (the launcher's bin/..). */
    static Path image(Path launcher) {
        return launcher.toAbsolutePath().getParent().getParent();
    }
}
