package clarimcp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.Launcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher starts the JVM with the start-up cache build.sh trained (lib/clari-revops-mcp.aot, or .jsa
 * on JDK 21-23) and the JVM really uses it: a JVM skips a cache that does not match silently, so the
 * proof is where the classes came from (class+load logging, which _JAVA_OPTIONS adds after the baked
 * -Xlog:disable). Also from a copy of the image elsewhere, started through a symbolic link, as a user
 * who unpacks the release archive would; and the launcher execs the JVM (clients signal the JVM itself).
 */
@Timeout(120)
class StartupCacheTest {
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source: (.*)");
    /** build.sh fails the build below this share; a working cache gives ~100%. */
    private static final int MIN_CACHED_PERCENT = 95;

    @TempDir
    Path dir;

    @Test
    void launcher_loadsTheServerFromTheCache() throws Exception {
        assertCacheUsed(Launcher.path());
    }

    @Test
    void imageCopiedToAPathWithASpace_startedThroughASymlink_stillUsesTheCache() throws Exception {
        Path copy = dir.resolve("unpacked here/clari-revops-mcp");
        copyTree(ImageRun.image(Launcher.path()), copy);
        Path link = Files.createDirectories(dir.resolve("bin")).resolve("clari");
        Files.createSymbolicLink(link, copy.resolve("bin/clari-revops-mcp"));
        assertCacheUsed(link);
    }

    @Test
    void launcher_execsTheJvm_soTheClientsProcessIsJava() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Launcher.path().toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().put("CLARI_API_TOKEN", "t");
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            p.getOutputStream().write((Sessions.INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            assertTrue(out.readLine().contains("\"id\":0"), "initialize answered");
            String command = p.info().command().orElseThrow();
            assertTrue(command.endsWith("/bin/java"), "the launcher's pid runs " + command);
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    private void assertCacheUsed(Path launcher) throws Exception {
        ImageRun r = ImageRun.run(List.of(launcher.toString()),
                Map.of("CLARI_API_TOKEN", "t", "_JAVA_OPTIONS", "-Xlog:class+load=info:stderr"),
                List.of(Sessions.INITIALIZE, Sessions.INITIALIZED, Sessions.TOOLS_LIST), dir);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(2, r.stdout().size(), "initialize and tools/list answered");
        int cached = 0, total = 0;
        String main = null;
        for (String line : r.stderr().lines().toList()) {
            Matcher m = LOADED.matcher(line);
            if (!m.find()) continue;
            boolean fromCache = m.group(2).startsWith("shared objects file");
            boolean fromImage = m.group(2).startsWith("jrt:/");
            if (!fromCache && !fromImage) continue;        // classes generated at run time (lambdas, switches)
            total++;
            if (fromCache) cached++;
            if (m.group(1).equals("clarimcp.Main")) main = m.group(2);
        }
        assertEquals("shared objects file", main, "where clarimcp.Main came from");
        assertTrue(cached * 100 >= total * MIN_CACHED_PERCENT, cached + " of " + total + " classes from the cache");
    }

    /** Copies a directory tree, keeping permissions and symbolic links as they are. */
    private static void copyTree(Path from, Path to) throws Exception {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws java.io.IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws java.io.IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
