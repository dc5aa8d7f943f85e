package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clarimcp.sandbox.ClariSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the environment names, through the launcher (issue 15): a FIFO as the token file, the CA bundle
 * or the log file is refused without hanging (opening one would block until its other end opens); a log file
 * owned by another user is refused; a token file another user owns or others may write is a FAIL in --check
 * and a warning when serving. Each run is bounded by SetupEndToEndTest.cli (30 s) and this class's timeout.
 */
@Timeout(120)
class LocalFilesEndToEndTest {
    /** A uid with no account: owner of the "foreign" files (the tests run as root, which may chown). */
    private static final String OTHER_UID = "4321";
    private static ClariSandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        sandbox = ClariSandbox.start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("CLARI_BASE_URL", sandbox.baseUrl().toString()));
        for (int i = 0; i + 1 < extra.length; i += 2) env.put(extra[i], extra[i + 1]);
        if (!env.containsKey("CLARI_API_TOKEN_FILE")) env.put("CLARI_API_TOKEN", sandbox.token());
        return env;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command));
    }

    private static Path token(Path dir, String mode) throws Exception {
        Path f = dir.resolve("token");
        Files.writeString(f, sandbox.token());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void fifos_asTokenFile_caBundle_andLogFile_areRefused_withoutHanging(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        run("mkfifo", fifo.toString());

        SetupEndToEndTest.Cli tokenFifo = SetupEndToEndTest.cli(env("CLARI_API_TOKEN_FILE", fifo.toString()), "call", "get_admin_limits", "{}");
        assertEquals(new SetupEndToEndTest.Cli(1, "CLARI_API_TOKEN_FILE names a FIFO, socket or device: it must be a regular "
                + "file holding the token\n"), tokenFifo.withoutErr());
        SetupEndToEndTest.Cli check = SetupEndToEndTest.cli(env("CLARI_API_TOKEN_FILE", fifo.toString()), "--check");
        assertEquals(1, check.exit());
        assertTrue(check.out().contains("FAIL  token file: CLARI_API_TOKEN_FILE names a FIFO"), check.out());

        SetupEndToEndTest.Cli caFifo = SetupEndToEndTest.cli(env("CLARI_CA_BUNDLE", fifo.toString()), "call", "get_admin_limits", "{}");
        assertEquals(new SetupEndToEndTest.Cli(1, "Server configuration problem: CLARI_CA_BUNDLE names a FIFO, socket or device: "
                + "it must be a PEM file\n"), caFifo.withoutErr());

        SetupEndToEndTest.Cli logFifo = SetupEndToEndTest.cli(env("CLARI_LOG_FILE", fifo.toString()), "call", "get_admin_limits", "{}");
        assertEquals(0, logFifo.exit(), logFifo.err());
        assertTrue(logFifo.err().contains("CLARI_LOG_FILE refused: it names a FIFO, socket or device; it must be a regular file; "
                + "logging to stderr instead"), logFifo.err());
        assertTrue(logFifo.err().contains("\"tool\":\"get_admin_limits\""), "the call log went to stderr: " + logFifo.err());
    }

    @Test
    void debugSwitchesThatWouldPrintTheToken_comeThroughJavaToolOptions_andAreIgnored() throws Exception {
        // Without Main clearing it, -Djdk.httpclient.HttpClient.log=headers prints "apikey: <token>" on stderr.
        SetupEndToEndTest.Cli c = SetupEndToEndTest.cli(env("JAVA_TOOL_OPTIONS", "-Djdk.httpclient.HttpClient.log=all "
                + "-Djdk.internal.httpclient.debug=true"), "call", "get_admin_limits", "{}");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("ignoring -Djdk.httpclient.HttpClient.log: its output would show the API token"), c.err());
        assertFalse(c.err().contains(sandbox.token()), c.err());
        assertFalse(c.err().toLowerCase(java.util.Locale.ROOT).contains("apikey"), c.err());
    }

    @Test
    void logFileOfAnotherUser_isRefused_andLeftUntouched(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        Path log = dir.resolve("their.log");
        Files.writeString(log, "");
        run("chown", OTHER_UID, log.toString());
        SetupEndToEndTest.Cli c = SetupEndToEndTest.cli(env("CLARI_LOG_FILE", log.toString()), "call", "get_admin_limits", "{}");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("CLARI_LOG_FILE refused: it is owned by another user; use a file of yours"), c.err());
        assertEquals(0, Files.size(log), "nothing appended to their file");

        Path mine = dir.resolve("my.log");
        SetupEndToEndTest.Cli ok = SetupEndToEndTest.cli(env("CLARI_LOG_FILE", mine.toString()), "call", "get_admin_limits", "{}");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(Files.readString(mine).contains("\"tool\":\"get_admin_limits\""), "our own file is written");
    }

    @Test
    void tokenFileOthersMayWrite_orAnotherUserOwns_failsTheCheck_andWarnsWhenServing(@TempDir Path dir) throws Exception {
        Path writable = token(dir, "rw--w--w-");
        SetupEndToEndTest.Cli check = SetupEndToEndTest.cli(env("CLARI_API_TOKEN_FILE", writable.toString()), "--check");
        assertEquals(1, check.exit(), check.out());
        assertTrue(check.out().contains("FAIL  token file: CLARI_API_TOKEN_FILE is writable by other users: restrict it (chmod 600)"),
                check.out());
        SetupEndToEndTest.Cli call = SetupEndToEndTest.cli(env("CLARI_API_TOKEN_FILE", writable.toString()), "call", "get_admin_limits", "{}");
        assertEquals(0, call.exit(), call.err());
        assertTrue(call.err().contains("warning: CLARI_API_TOKEN_FILE is writable by other users"), call.err());

        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-------"));
        SetupEndToEndTest.Cli fine = SetupEndToEndTest.cli(env("CLARI_API_TOKEN_FILE", writable.toString()), "--check");
        assertEquals(0, fine.exit(), fine.out());
        assertFalse(fine.out().contains("FAIL"), fine.out());

        assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        run("chown", OTHER_UID, writable.toString());
        SetupEndToEndTest.Cli foreign = SetupEndToEndTest.cli(env("CLARI_API_TOKEN_FILE", writable.toString()), "--check");
        assertEquals(1, foreign.exit(), foreign.out());
        assertTrue(foreign.out().contains("FAIL  token file: CLARI_API_TOKEN_FILE is owned by another user: make it yours (chown)"),
                foreign.out());
    }
}
