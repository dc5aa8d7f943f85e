package clarimcp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.sandbox.ClariSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image holds only the modules the server needs (jlink.conf): exactly clarimcp and what it requires,
 * and what it requires is enough. TLS 1.3 to a server signed by a private CA, through an authenticating
 * CONNECT proxy, is proved through the launcher by e2e/NetworkEndToEndTest; here, a host name resolves
 * (the system resolver, in java.base: no java.naming / jdk.naming.dns needed).
 */
@Timeout(60)
class ImageModulesTest {
    /** JDK 22 moved SunEC (TLS key exchange) from jdk.crypto.ec into java.base; on 21 jlink.conf adds the module. */
    private static final int SUNEC_IN_JAVA_BASE_SINCE = 22;

    @TempDir
    Path dir;

    @Test
    void image_holdsExactlyClarimcpAndTheModulesItRequires() throws Exception {
        Path java = ImageRun.image(Launcher.path()).resolve("bin/java");
        ImageRun list = ImageRun.run(ImageRun.command(java, "--list-modules"), Map.of(), List.of(), dir);
        List<String> modules = new ArrayList<>(list.stdout().stream().map(m -> m.replaceAll("@.*", "")).sorted().toList());
        List<String> expected = new ArrayList<>(List.of("clarimcp", "java.base", "java.net.http"));
        if (feature(ImageRun.image(Launcher.path())) < SUNEC_IN_JAVA_BASE_SINCE) expected.add("jdk.crypto.ec");
        assertEquals(expected.stream().sorted().toList(), modules);

        ImageRun describe = ImageRun.run(ImageRun.command(java, "--describe-module", "clarimcp"), Map.of(), List.of(), dir);
        assertEquals(List.of("requires java.base mandated", "requires java.net.http"),
                describe.stdout().stream().filter(l -> l.startsWith("requires ")).sorted().toList());
    }

    @Test
    void hostName_resolvesInTheImage_andTheCallSucceeds() throws Exception {
        try (ClariSandbox sandbox = ClariSandbox.start();
                Launcher l = Launcher.start(Map.of("CLARI_API_TOKEN", sandbox.token(),
                        "CLARI_BASE_URL", "http://localhost:" + sandbox.baseUrl().getPort() + ClariSandbox.BASE_PATH))) {
            l.request(Sessions.INITIALIZE, Json.of(0), 30_000, null);
            Json.Obj result = l.request(Sessions.dealRisk(1, "006BENCH0000001"), Json.of(1), 30_000, null).obj("result");
            assertEquals(Json.Bool.FALSE, result.get("isError"), result::toString);
            assertTrue(sandbox.requests().stream().anyMatch(r -> r.method().equals("GET") && r.path().equals("/v4/opportunity")),
                    "the request reached the sandbox through the name localhost");
            assertEquals(0, l.closeAndWait(30_000));
        }
    }

    /** The feature release of the image's JDK, from its release file (JAVA_VERSION="25.0.3"). */
    static int feature(Path image) throws Exception {
        for (String line : Files.readAllLines(image.resolve("release"))) {
            if (line.startsWith("JAVA_VERSION=")) return Integer.parseInt(line.replaceAll("^JAVA_VERSION=\"?(\\d+).*", "$1"));
        }
        throw new AssertionError("no JAVA_VERSION in " + image.resolve("release"));
    }
}
