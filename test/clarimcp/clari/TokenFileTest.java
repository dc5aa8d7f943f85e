package clarimcp.clari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CLARI_API_TOKEN_FILE: read per use, re-read when it changes and after a 401, rotated mid-session without a restart. */
@Timeout(30)
class TokenFileTest {
    private static ClariConfig config(ClariSandbox sb, Path file) {
        return ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN_FILE", file.toString(), "CLARI_BASE_URL", sb.baseUrl().toString()));
    }

    private static Path write(Path file, String token) throws Exception {
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void rotatedFile_isPickedUpByTheNextRequest_noRestart(@TempDir Path dir) throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Path file = write(dir.resolve("token"), sb.token());
            List<Integer> seen = new ArrayList<>();
            ClariClient client = new ClariClient(config(sb, file)).forCall((m, p, status) -> seen.add(status));
            client.adminLimits();
            String rotated = sb.rotateToken(); // the old token stops working at Clari
            ClariException e = assertThrows(ClariException.class, client::adminLimits);
            assertEquals(401, e.status());
            assertTrue(e.getMessage().startsWith("Clari rejected the API token (401): check CLARI_API_TOKEN_FILE;"), e.getMessage());
            write(file, rotated); // the secrets manager catches up
            client.adminLimits();
            assertEquals(List.of(200, 401, 200), seen, "a 401 re-reads the file; unchanged, so no second try");
        }
    }

    @Test
    void rotationTheMtimeDidNotShow_isCaughtByThe401_andRetriedOnce(@TempDir Path dir) throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Path file = write(dir.resolve("token"), sb.token());
            ClariClient client = new ClariClient(config(sb, file));
            List<Integer> seen = new ArrayList<>();
            ClariClient observed = client.forCall((m, p, status) -> seen.add(status));
            observed.adminLimits();
            FileTime before = Files.getLastModifiedTime(file);
            write(file, sb.rotateToken()); // same length; the time set back as on a coarse file system
            Files.setLastModifiedTime(file, before);
            observed.adminLimits();
            assertEquals(List.of(200, 401, 200), seen, "the rejected request is sent once more with the new token");
            List<RecordedRequest> sent = sb.requests();
            assertEquals(3, sent.size());
            assertTrue(sent.stream().allMatch(r -> RecordedRequest.MASK.equals(r.header("apikey"))));
        }
    }

    @Test
    void noOptin_isNotATokenRejection_theFileIsNotReRead(@TempDir Path dir) throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Path file = write(dir.resolve("token"), sb.token());
            List<Integer> seen = new ArrayList<>();
            ClariClient client = new ClariClient(config(sb, file)).forCall((m, p, status) -> seen.add(status));
            client.adminLimits();
            FileTime before = Files.getLastModifiedTime(file);
            write(file, "x".repeat(sb.token().length())); // a re-read would send this, and Clari would refuse it
            Files.setLastModifiedTime(file, before);
            sb.knobs().noOptin(true);
            ClariException e = assertThrows(ClariException.class, () -> client.forecast("forecast", Map.of()));
            assertEquals("no_optin", e.code());
            assertTrue(e.getMessage().startsWith("Clari says the token's user is not opted into forecast 'forecast'"), e.getMessage());
            assertEquals(List.of(200, 401), seen, "a 401 no_optin refuses the user, not the token: no re-read, no second try");
        }
    }

    @Test
    void badFiles_failWithAFix_neverShowingTheContent(@TempDir Path dir) throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Path missing = dir.resolve("nope");
            assertEquals("cannot read CLARI_API_TOKEN_FILE (NoSuchFileException): check the path and that this user may read the file",
                    assertThrows(ClariException.class, () -> new ClariClient(config(sb, missing)).adminLimits()).getMessage());
            Path empty = write(dir.resolve("empty"), " ");
            assertEquals("CLARI_API_TOKEN_FILE names an empty file: write the Clari API token into it",
                    new ClariClient(config(sb, empty)).tokenProblem());
            Path spaced = write(dir.resolve("spaced"), "canary-part-one canary-part-two");
            String problem = new ClariClient(config(sb, spaced)).tokenProblem();
            assertTrue(problem.startsWith("CLARI_API_TOKEN_FILE holds spaces, control or non-ASCII characters"), problem);
            assertFalse(problem.contains("canary"));
            Path big = write(dir.resolve("big"), "x".repeat(9000));
            assertEquals("CLARI_API_TOKEN_FILE names a file over 8 KB: it should hold only the token", new ClariClient(config(sb, big)).tokenProblem());
            assertEquals(List.of(), sb.requests(), "nothing is sent without a token");
        }
    }

    @Test
    void permissions_othersMayRead_isWarned(@TempDir Path dir) throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Path file = write(dir.resolve("token"), sb.token());
            assertNull(new ClariClient(config(sb, file)).tokenWarning());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals("CLARI_API_TOKEN_FILE is readable by other users: restrict it (chmod 600)", new ClariClient(config(sb, file)).tokenWarning());
        }
    }

    @Test
    void configuration_oneSourceOnly_absolutePath() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN", "canary-x", "CLARI_API_TOKEN_FILE", "/run/secrets/clari")));
        assertTrue(both.getMessage().startsWith("both CLARI_API_TOKEN and CLARI_API_TOKEN_FILE are set: keep only one"), both.getMessage());
        assertFalse(both.getMessage().contains("canary-x"));
        assertEquals("CLARI_API_TOKEN_FILE must be the absolute path of a file holding the token",
                assertThrows(IllegalArgumentException.class, () -> ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN_FILE", "token.txt"))).getMessage());
        ClariConfig c = ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN_FILE", "/run/secrets/clari"));
        assertNull(c.token());
        assertEquals(Path.of("/run/secrets/clari"), c.tokenFile());
    }
}
