package clarimcp.clari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.ConnectProxy;
import clarimcp.sandbox.TestTls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Enterprise networks in process: HTTPS_PROXY/NO_PROXY parsing and matching, a CONNECT proxy in front of a
 * TLS sandbox signed by a CA made at test time, and CLARI_CA_BUNDLE added to (not replacing) the default trust.
 * Proxy credentials are tested through the launcher (NetworkEndToEndTest), whose JVM options allow Basic on tunnels.
 */
@Timeout(60)
class NetworkTest {
    @TempDir
    static Path dir;
    static TestTls tls;
    static ClariSandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        tls = TestTls.create(dir);
        sandbox = ClariSandbox.startHttps(tls.serverContext());
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) sandbox.close();
    }

    private static ClariConfig config(String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("CLARI_API_TOKEN", sandbox.token(), "CLARI_BASE_URL", sandbox.baseUrl().toString()));
        for (int i = 0; i < extra.length; i += 2) env.put(extra[i], extra[i + 1]);
        return ClariConfig.fromEnv(env);
    }

    @Test
    void caBundle_letsTheClientTrustTheServer_withoutItTlsFailsWithTheFix() throws Exception {
        assertTrue(sandbox.baseUrl().toString().startsWith("https://127.0.0.1:"));
        ClariException e = assertThrows(ClariException.class, () -> new ClariClient(config()).adminLimits());
        assertEquals("the TLS certificate of 127.0.0.1:" + sandbox.baseUrl().getPort() + " is not trusted: behind a "
                + "TLS-inspecting proxy, set CLARI_CA_BUNDLE to its CA certificate (PEM)", e.getMessage());
        new ClariClient(config("CLARI_CA_BUNDLE", tls.caPem().toString())).adminLimits();
    }

    @Test
    void caBundle_isAddedToTheDefaultTrust_notReplacingIt() throws Exception {
        ClariConfig.Network n = config("CLARI_CA_BUNDLE", tls.caPem().toString()).network();
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        Set<X509Certificate> defaults = Set.of(((X509TrustManager) tmf.getTrustManagers()[0]).getAcceptedIssuers());
        assertTrue(defaults.size() > 50, "the JDK's CA certificates: " + defaults.size());
        Set<X509Certificate> union = Set.of(Transport.trustManager(n).getAcceptedIssuers());
        assertTrue(union.containsAll(defaults), "every default CA is still trusted");
        X509Certificate testCa = (X509Certificate) Transport.bundle(n).get(0);
        assertFalse(defaults.contains(testCa));
        assertTrue(union.contains(testCa), "and the bundle's CA too");
        assertEquals(defaults.size() + 1, union.size());
    }

    @Test
    void badBundles_areConfigurationErrors_withTheFix(@TempDir Path tmp) throws Exception {
        Path garbage = Files.writeString(tmp.resolve("bundle.pem"), "not a certificate", StandardCharsets.UTF_8);
        assertEquals("CLARI_CA_BUNDLE holds no readable certificate: expected PEM (-----BEGIN CERTIFICATE-----) CA certificates",
                assertThrows(IllegalArgumentException.class, () -> new ClariClient(config("CLARI_CA_BUNDLE", garbage.toString()))).getMessage());
        assertEquals("cannot read CLARI_CA_BUNDLE (NoSuchFileException): check the path and that this user may read the file",
                assertThrows(IllegalArgumentException.class,
                        () -> new ClariClient(config("CLARI_CA_BUNDLE", tmp.resolve("none.pem").toString()))).getMessage());
        assertEquals("CLARI_CA_BUNDLE must be the absolute path of a PEM file of CA certificates",
                assertThrows(IllegalArgumentException.class, () -> config("CLARI_CA_BUNDLE", "ca.pem")).getMessage());
    }

    @Test
    void httpsProxy_tunnelsToClari_noProxyBypassesIt() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            String bundle = tls.caPem().toString();
            new ClariClient(config("CLARI_CA_BUNDLE", bundle, "HTTPS_PROXY", "http://127.0.0.1:" + proxy.port())).adminLimits();
            assertEquals(1, proxy.tunnels());
            assertEquals(List.of("127.0.0.1:" + sandbox.baseUrl().getPort()), proxy.targets());

            new ClariClient(config("CLARI_CA_BUNDLE", bundle, "https_proxy", "127.0.0.1:" + proxy.port(), "no_proxy", "localhost, 127.0.0.1"))
                    .adminLimits();
            assertEquals(1, proxy.tunnels(), "NO_PROXY: direct");
        }
    }

    @Test
    void plainHttpBaseUrl_neverUsesTheHttpsProxy() throws Exception {
        try (ClariSandbox plain = ClariSandbox.start(); ConnectProxy proxy = ConnectProxy.start()) {
            ClariConfig c = ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN", plain.token(), "CLARI_BASE_URL", plain.baseUrl().toString(),
                    "HTTPS_PROXY", "http://127.0.0.1:" + proxy.port()));
            new ClariClient(c).adminLimits();
            assertEquals(List.of(), proxy.targets());
        }
    }

    @Test
    void proxyCredentials_onlyForHttpsTargetsThroughTheProxy() {
        ClariConfig.Network n = config("HTTPS_PROXY", "http://u:p%40ss@proxy.corp:3128", "NO_PROXY", "internal.corp").network();
        assertEquals("Basic dTpwQHNz", Transport.proxyAuthorization(n, URI.create("https://api.clari.com/v4")).reveal());
        assertNull(Transport.proxyAuthorization(n, URI.create("https://clari.internal.corp/v4")), "NO_PROXY: direct");
        assertNull(Transport.proxyAuthorization(n, URI.create("http://127.0.0.1:8080/v4")), "http is never proxied");
        assertNull(Transport.proxyAuthorization(config("HTTPS_PROXY", "http://proxy.corp:3128").network(),
                URI.create("https://api.clari.com/v4")), "no credentials");
    }

    @Test
    void dryRun_masksTheProxyCredentials() throws Exception {
        List<ClariClient.PlannedRequest> plan = new ArrayList<>();
        ClariClient c = new ClariClient(config("CLARI_CA_BUNDLE", tls.caPem().toString(), "HTTPS_PROXY", "http://u:secretpw@127.0.0.1:9"))
                .planning(plan::add);
        assertThrows(ClariException.class, c::adminLimits);
        assertEquals(Secret.MASK, plan.get(0).headers().get("Proxy-Authorization"));
        assertEquals(Secret.MASK, plan.get(0).headers().get("apikey"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            api.clari.com        | *                          | true
            api.clari.com        | clari.com                  | true
            api.clari.com        | .clari.com                 | true
            api.clari.com        | *.clari.com                | true
            clari.com            | .clari.com                 | true
            api.clari.com        | api.clari.com:443          | true
            notclari.com         | clari.com                  | false
            api.clari.com        | example.com,internal.corp  | false
            127.0.0.1            | 127.0.0.1                  | true
            127.0.0.1            | 127.0.0.2                  | false
            [::1]                | ::1                        | true
            [::1]                | [::1]:8080                 | true
            API.Clari.COM        | clari.com                  | true
            """)
    void noProxy_matching(String host, String noProxy, boolean bypass) {
        ClariConfig.Network n = ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN", "t", "HTTPS_PROXY", "http://proxy:3128", "NO_PROXY", noProxy)).network();
        assertEquals(bypass, n.bypasses(host));
    }

    @Test
    void proxyUrls_parsed_credentialsDecoded_neverEchoed() {
        ClariConfig.Network.Proxy p = config("HTTPS_PROXY", "http://al%40ice:p%3Ass+w@proxy.corp:3128").network().proxy();
        assertEquals("proxy.corp", p.host());
        assertEquals(3128, p.port());
        assertEquals("al@ice", p.user());
        assertEquals("p:ss+w", p.password().reveal());
        assertFalse(p.toString().contains("p:ss+w"), p.toString());
        assertEquals(80, config("HTTPS_PROXY", "proxy.corp").network().proxy().port());
        assertNull(config("HTTPS_PROXY", "http://proxy.corp:8080").network().proxy().user());
        assertEquals("a", ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN", "t", "HTTPS_PROXY", "http://a:1",
                "https_proxy", "http://b:2")).network().proxy().host(), "HTTPS_PROXY wins");
        for (String bad : List.of("https://u:secretpw@proxy:443", "socks5://u:secretpw@proxy:1080", "http://u:secretpw@proxy:3128/path",
                "http://u@proxy:3128", "http://u:secretpw@:3128", "http://u:secret%zzpw@proxy:1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("HTTPS_PROXY", bad), bad);
            assertTrue(e.getMessage().startsWith("HTTPS_PROXY "), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
    }
}
