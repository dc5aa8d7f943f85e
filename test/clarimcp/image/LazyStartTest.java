package clarimcp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.sandbox.ClariSandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lazy start: initialize, tools/list and ping never wait for Clari, because nothing before the first tool
 * call touches the network, TLS, the HTTP client or the token file. Shown two ways through the launcher:
 * the sandbox receives no request, and none of the classes that do that work is even initialized
 * (class+init logging; unlike loading, which the AOT cache does up front, initialization happens on
 * first use). Each probe has a control session with one tool call, where it does fire.
 */
@Timeout(120)
class LazyStartTest {
    /** The first use of each: our HTTP client, the token file reader, the JDK HTTP client, TLS, a socket. */
    static final List<String> FIRST_USE = List.of("'clarimcp/clari/ClariClient'", "'clarimcp/clari/TokenSource'",
            "'jdk/internal/net/http/HttpClientImpl'", "'sun/security/ssl/SSLContextImpl'", "'sun/nio/ch/SocketChannelImpl'",
            // Not network, but slow on first use (~8 ms with MathContext): a static BigDecimal once put it on the start path.
            "'java/math/BigDecimal'");

    @TempDir
    Path dir;

    @Test
    void initializeListPing_sendNothingToClari_theFirstToolCallDoes() throws Exception {
        try (ClariSandbox sandbox = ClariSandbox.start();
                Launcher l = Launcher.start(Map.of("CLARI_API_TOKEN", sandbox.token(), "CLARI_BASE_URL", sandbox.baseUrl().toString()))) {
            startSession(l);
            assertEquals(List.of(), sandbox.requests(), "requests before any tool call");
            toolCall(l);
            assertFalse(sandbox.requests().isEmpty(), "the control: a tool call reaches the sandbox");
            assertEquals(0, l.closeAndWait(30_000));
        }
    }

    @Test
    void initializeListPing_initializeNoNetworkTlsOrTokenFileCode() throws Exception {
        try (ClariSandbox sandbox = ClariSandbox.start()) {
            Map<String, String> env = env(sandbox);
            try (Launcher l = Launcher.start(env)) {
                startSession(l);
                assertEquals(0, l.closeAndWait(30_000));
                for (String c : FIRST_USE) assertFalse(l.stderr().contains("Initializing " + c), c + " initialized before any tool call");
            }
            try (Launcher l = Launcher.start(env)) {
                startSession(l);
                toolCall(l);
                assertEquals(0, l.closeAndWait(30_000));
                for (String c : FIRST_USE) assertTrue(l.stderr().contains("Initializing " + c), "the control: " + c + " seen at the call");
            }
        }
    }

    /** The token through CLARI_API_TOKEN_FILE, and class initialization logged to stderr. */
    private Map<String, String> env(ClariSandbox sandbox) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, sandbox.token() + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = new HashMap<>();
        env.put("CLARI_API_TOKEN_FILE", token.toString());
        env.put("CLARI_BASE_URL", sandbox.baseUrl().toString());
        env.put("_JAVA_OPTIONS", "-Xlog:class+init=info:stderr");
        return env;
    }

    private static void startSession(Launcher l) throws Exception {
        l.request(Sessions.INITIALIZE, Json.of(0), 30_000, null);
        l.send(Sessions.INITIALIZED);
        l.request(Sessions.TOOLS_LIST, Json.of(1), 30_000, null);
        l.request(Sessions.PING, Json.of(2), 30_000, null);
    }

    private static void toolCall(Launcher l) throws Exception {
        Json.Obj result = l.request(Sessions.dealRisk(3, "006BENCH0000001"), Json.of(3), 30_000, null).obj("result");
        assertEquals(Json.Bool.FALSE, result.get("isError"), result::toString);
    }
}
