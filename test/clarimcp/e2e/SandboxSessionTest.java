package clarimcp.e2e;

import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.Knobs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * One Clari sandbox and one launcher session per test class: knobs reset and requests cleared before
 * each test, every recorded request checked against the allowlist after it, and at the end the
 * server's exit at end of input and the token's absence from everything it printed.
 */
abstract class SandboxSessionTest {
    static ClariSandbox sandbox;
    static McpSession session;

    /** Starts the sandbox and the server against it; extraEnv holds name, value pairs. */
    static void startSession(String... extraEnv) throws Exception {
        sandbox = ClariSandbox.start();
        session = McpSession.start(McpSession.env(sandbox, extraEnv));
    }

    /** The knobs each test starts from; a class may lift limits that its tests use up. */
    void resetKnobs(Knobs knobs) {
        knobs.reset();
    }

    @BeforeEach
    final void resetSandbox() {
        resetKnobs(sandbox.knobs());
        sandbox.clearRequests();
    }

    @AfterEach
    final void onlyAllowlistedRequests() {
        McpSession.assertOnlyAllowlisted(sandbox);
    }

    @AfterAll
    static void stop() throws Exception {
        try (ClariSandbox s = sandbox; McpSession m = session) {
            if (m != null) {
                m.closeAndCollect(); // exit 0 at end of input; every stdout line framed
                m.assertNeverShows(s.token());
            }
        }
    }
}
