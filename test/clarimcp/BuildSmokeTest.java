package clarimcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks what build.sh promises about the jar: it is where the image was linked from, it holds the
 * entry point, names it as main class, and every entry carries the fixed date that makes it
 * reproducible. The jar sits beside the image: build/clari-revops-mcp.jar, build/image/bin/...
 */
@Timeout(10)
class BuildSmokeTest {
    private static final Instant FIXED_DATE = Instant.parse("2026-01-01T00:00:00Z");

    private static Path jar() {
        String launcher = System.getProperty("clarimcp.launcher");
        assertNotNull(launcher, "system property clarimcp.launcher (set by test/run.sh)");
        return Path.of(launcher).toAbsolutePath().getParent().getParent().getParent()
                .resolve("clari-revops-mcp.jar");
    }

    @Test
    void jar_isModularWithMainClassAndFixedDates() throws IOException {
        Path jar = jar();
        assertTrue(Files.isRegularFile(jar), "missing " + jar);
        try (JarFile file = new JarFile(jar.toFile())) {
            assertNotNull(file.getEntry("module-info.class"), "module-info.class");
            assertNotNull(file.getEntry("clarimcp/Main.class"), "clarimcp/Main.class");
            assertEquals("clarimcp.Main", file.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
            file.stream().forEach(entry -> assertEquals(FIXED_DATE, entry.getLastModifiedTime().toInstant(),
                    entry.getName()));
        }
    }
}
