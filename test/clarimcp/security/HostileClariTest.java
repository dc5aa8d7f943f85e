package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.tools.Tools;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile or broken server at CLARI_BASE_URL, met by every tool: each attack must end the call with a
 * short, clear tool error (never a crash, a hang, an internal error or a leaked token), and wrong shapes
 * must be read as absent rather than trusted. The client runs with a 0.5 s timeout and a 1 MB body cap,
 * which stand in for the production 120 s and 64 MB (the mechanism is the same, only the numbers differ).
 */
@Timeout(60)
class HostileClariTest {
    private static final Tool.Context NONE = new Tool.Context() {
        @Override
        public void progress(double progress, Double total, String message) {}

        @Override
        public void log(String level, String message) {}
    };

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final int CAP = 1 << 20;
    private static SandboxEnv env;

    @BeforeAll
    static void start() throws Exception {
        env = SandboxEnv.start(TIMEOUT, CAP);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @AfterEach
    void reset() {
        env.sandbox.knobs().reset().jobDuration(Duration.ZERO).monthlyQuota(Integer.MAX_VALUE).concurrentLimit(100_000);
        env.sandbox.hostile().reset();
    }

    /** Every tool the server offers (a tool added later is attacked too). */
    static Stream<String> tools() {
        return Tools.all(null).stream().map(Tool::name);
    }

    /** Runs the tool with valid arguments; returns the Tool.Failure's message, failing on anything else. */
    private static String toolError(String name) throws InterruptedException {
        Tool tool = env.tools.get(name);
        try {
            Tool.Result r = tool.handler().call(env.validArguments(name), NONE);
            return fail(name + " answered instead of failing: " + r.text());
        } catch (Tool.Failure e) {
            String m = e.getMessage();
            assertFalse(m.contains(env.sandbox.token()), "token in: " + m);
            assertTrue(m.length() < 400, "short message: " + m);
            assertTrue(Hostile.hidden(new Json.Str(m), false).isEmpty(), m);
            return m;
        }
    }

    private static void assertMentions(String message, String expected) {
        assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
    }

    @ParameterizedTest
    @MethodSource("tools")
    void gigantic_body_isCutAtTheCap(String tool) throws Exception {
        env.sandbox.knobs().hugeNext(1000, 3L * CAP);
        assertMentions(toolError(tool), "Clari's response exceeded 1 MB");
    }

    @ParameterizedTest
    @MethodSource("tools")
    void deep_nesting_isRefusedByTheParser(String tool) throws Exception {
        env.sandbox.hostile().rawNext(1000, 200, "application/json", "[".repeat(100_000).getBytes(UTF_8));
        assertMentions(toolError(tool), "was not JSON (Nesting too deep at offset 128)");
    }

    @ParameterizedTest
    @MethodSource("tools")
    void html_page_with_200_isNotJson(String tool) throws Exception {
        byte[] page = "<!DOCTYPE html><html><body>Sign in to continue</body></html>".getBytes(UTF_8);
        env.sandbox.hostile().rawNext(1000, 200, "text/html", page);
        assertMentions(toolError(tool), "was not JSON (Unexpected character at offset 0)");
    }

    @ParameterizedTest
    @MethodSource("tools")
    void html_error_page_isUnavailable_withoutItsText(String tool) throws Exception {
        env.sandbox.knobs().failNext(1000, 502);
        String m = toolError(tool);
        assertMentions(m, "Clari is unavailable (HTTP 502)");
        assertFalse(m.contains("upstream") || m.contains("<"), m);
    }

    @ParameterizedTest
    @MethodSource("tools")
    void redirect_toAnotherHost_isNeverFollowed_soTheTokenStaysHome(String tool) throws Exception {
        List<String> trapped = new CopyOnWriteArrayList<>();
        HttpServer trap = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        trap.createContext("/", ex -> {
            trapped.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " apikey=" + ex.getRequestHeaders().get("apikey"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        trap.start();
        try {
            env.sandbox.knobs().redirectNext(1000, "http://127.0.0.1:" + trap.getAddress().getPort() + "/v4/admin/limits");
            assertMentions(toolError(tool), "redirect (HTTP 302), which is never followed");
            assertEquals(List.of(), trapped);
        } finally {
            trap.stop(0);
        }
    }

    @ParameterizedTest
    @MethodSource("tools")
    void slowloris_body_isCutByTheTimeout(String tool) throws Exception {
        env.sandbox.hostile().trickleNext(1000, Duration.ofMillis(200));
        assertMentions(toolError(tool), "Clari did not answer within 0.5 s");
    }

    @ParameterizedTest
    @MethodSource("tools")
    void silent_server_isCutByTheTimeout(String tool) throws Exception {
        env.sandbox.knobs().delay(Duration.ofSeconds(3));
        assertMentions(toolError(tool), "Clari did not answer within 0.5 s");
    }

    /**
     * Wrong types, absurd numbers, deep wrapping and odd top levels: a tool may answer (what it cannot read
     * is absent) or fail with a tool error, but never throw anything else, and what it says stays clean.
     */
    @ParameterizedTest
    @MethodSource("tools")
    void wrong_shapes_areReadAsAbsent_neverACrash(String tool) throws Exception {
        for (Map.Entry<String, UnaryOperator<Json>> shape : Hostile.wrongShapes().entrySet()) {
            env.sandbox.hostile().transform(shape.getValue());
            String what = tool + " with " + shape.getKey();
            try {
                Tool.Result r = env.tools.get(tool).handler().call(env.validArguments(tool), NONE);
                assertEquals(List.of(), Hostile.hidden(new Json.Str(r.text()), true), what);
                if (r.structured() != null) assertEquals(List.of(), Hostile.hidden(r.structured(), false), what);
                assertTrue(r.text().length() <= 50_000, what);
            } catch (Tool.Failure e) {
                assertFalse(e.getMessage().contains(env.sandbox.token()), what);
                assertTrue(e.getMessage().length() < 400, what + ": " + e.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError(what + " threw " + e, e);
            }
        }
    }

    @Test
    void attacks_leaveTheClientUsable() throws Exception {
        env.sandbox.hostile().trickleNext(2, Duration.ofMillis(200));
        env.sandbox.knobs().hugeNext(2, 3L * CAP);
        for (int i = 0; i < 3; i++) {
            try {
                env.tools.get("get_deal_risk").handler().call(env.validArguments("get_deal_risk"), NONE);
            } catch (Tool.Failure expected) {
                // the first calls meet the attacks
            }
        }
        Tool.Result r = env.tools.get("get_deal_risk").handler().call(env.validArguments("get_deal_risk"), NONE);
        assertFalse(r.isError(), r.text());
        assertTrue(r.text().startsWith("6 deal(s)"), r.text());
    }
}
