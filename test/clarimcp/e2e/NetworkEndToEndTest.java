package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.SetupEndToEndTest.Cli;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.ConnectProxy;
import clarimcp.sandbox.TestTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An enterprise network through the real launcher: Clari over TLS signed by a private CA (made at test time
 * with keytool) behind an authenticating CONNECT proxy. The launcher must succeed with HTTPS_PROXY (with
 * credentials) and CLARI_CA_BUNDLE, fail clearly without the bundle or with a wrong password, and never show
 * the proxy password or the token.
 */
@Timeout(120)
class NetworkEndToEndTest {
    private static final String USER = "svc-clari";
    /** Needs percent-encoding in the URL (':' '@' '%'), so the decoding is exercised too. */
    private static final String PASSWORD = "pw:canary@7f3%e";
    private static final String ENCODED_PASSWORD = "pw%3Acanary%407f3%25e";

    @TempDir
    static Path dir;
    static TestTls tls;
    static ClariSandbox sandbox;
    static ConnectProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        tls = TestTls.create(dir);
        sandbox = ClariSandbox.startHttps(tls.serverContext());
        proxy = ConnectProxy.start(USER, PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) proxy.close();
        if (sandbox != null) sandbox.close();
    }

    private static Map<String, String> env(String password, boolean bundle) {
        Map<String, String> env = new HashMap<>(Map.of("CLARI_API_TOKEN", sandbox.token(), "CLARI_BASE_URL", sandbox.baseUrl().toString(),
                "HTTPS_PROXY", "http://" + USER + ":" + password + "@127.0.0.1:" + proxy.port(), "CLARI_LOG_LEVEL", "debug"));
        if (bundle) env.put("CLARI_CA_BUNDLE", tls.caPem().toString());
        return env;
    }

    @Test
    void proxyWithCredentials_andCaBundle_callSucceedsThroughTheTunnel() throws Exception {
        int before = proxy.tunnels();
        Cli r = SetupEndToEndTest.cli(env(ENCODED_PASSWORD, true), "call", "get_admin_limits", "{}");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith("Clari export limits\nConcurrent export jobs free now: 3 of 3"), r.out());
        assertEquals(before + 1, proxy.tunnels(), "one tunnel, through the proxy");
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertTrue(proxy.authorizations().contains(basic), "the decoded credentials reached the proxy");
        assertTrue(sandbox.requests().stream().noneMatch(q -> q.header("proxy-authorization") != null),
                "proxy credentials never reach Clari");
        assertSecretsAbsent(r);
    }

    @Test
    void noBundle_tlsFailsWithTheFix() throws Exception {
        Cli r = SetupEndToEndTest.cli(env(ENCODED_PASSWORD, false), "call", "get_admin_limits", "{}");
        assertEquals(1, r.exit());
        assertEquals("the TLS certificate of 127.0.0.1:" + sandbox.baseUrl().getPort() + " through the proxy 127.0.0.1:"
                + proxy.port() + " is not trusted: behind a TLS-inspecting proxy, set CLARI_CA_BUNDLE to its CA certificate (PEM)\n", r.out());
        assertSecretsAbsent(r);
    }

    @Test
    void wrongProxyPassword_failsWithTheFix_neverShowingIt() throws Exception {
        Cli r = SetupEndToEndTest.cli(env("wrong-canary-pw", true), "call", "get_admin_limits", "{}");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("the proxy refused the request (407): check the user and password in HTTPS_PROXY"),
                r.out() + r.err());
        assertFalse(r.out().contains("wrong-canary-pw") || r.err().contains("wrong-canary-pw"));
    }

    @Test
    void check_reportsProxyAndBundle_andPasses() throws Exception {
        Cli r = SetupEndToEndTest.cli(env(ENCODED_PASSWORD, true), "--check");
        assertEquals(0, r.exit(), r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals("note  proxy: HTTPS_PROXY 127.0.0.1:" + proxy.port() + " with credentials; used for 127.0.0.1", lines.get(1));
        assertEquals("ok    CA bundle: added to the default trust", lines.get(2));
        assertTrue(lines.contains("ok    token accepted"), r.out());
        assertSecretsAbsent(r);
    }

    private static void assertSecretsAbsent(Cli r) {
        for (String secret : List.of(PASSWORD, ENCODED_PASSWORD, "canary", sandbox.token())) {
            assertFalse(r.out().contains(secret) || r.err().contains(secret), "a secret in the output: " + secret);
        }
    }
}
