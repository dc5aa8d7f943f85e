package clarimcp.clari;

import clarimcp.clari.ClariConfig.Network;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The process-wide HttpClient for a {@link Network}: the proxy (CONNECT tunnels for https, NO_PROXY
 * honoured) and the trust (the JDK's CA certificates plus CLARI_CA_BUNDLE), and the proxy's Basic
 * credentials. Redirects are never followed: they would carry the token elsewhere.
 */
final class Transport {
    /** A CA bundle is a few hundred KB even with every public root; more is not a bundle. */
    static final int MAX_BUNDLE_BYTES = 4 << 20;

    private Transport() {}

    /** Throws IllegalArgumentException (saying what to fix) when the CA bundle cannot be used. */
    static HttpClient client(Network network, Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        // Without HTTPS_PROXY, the JDK's default: -Dhttps.proxyHost, for those who configure the JVM.
        b.proxy(network.proxy() == null ? ProxySelector.getDefault() : selector(network, network.proxy()));
        if (network.caBundle() != null) b.sslContext(trust(network));
        return b.build();
    }

    /** https to hosts outside NO_PROXY goes through the proxy; everything else directly. */
    private static ProxySelector selector(Network network, Network.Proxy proxy) {
        Proxy via = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.host(), proxy.port()));
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                boolean tunnel = "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && !network.bypasses(uri.getHost());
                return List.of(tunnel ? via : Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException e) {
                // nothing to fall back to: the request fails with its own message
            }
        };
    }

    /**
     * What a plain TCP connection to host:port does, for an error message: "" when it opens (closed at once,
     * nothing sent), else why not. Run only after a connection failed, so a working setup never pays for it.
     */
    static String probe(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return "";
        } catch (SocketTimeoutException e) {
            return "timed out";
        } catch (UnknownHostException e) {
            return "unknown host " + host + " (DNS)";
        } catch (NoRouteToHostException e) {
            return "no route to host";
        } catch (ConnectException e) {
            return "connection refused (nothing listens on port " + port + ")";
        } catch (IOException | IllegalArgumentException e) {
            return "connection failed (" + e.getClass().getSimpleName() + ")";
        }
    }

    /**
     * The Proxy-Authorization value for requests to target, or null when no credentials apply. Sent with the
     * request, the JDK puts it on the tunnel's CONNECT only and strips it from what goes to Clari (and from
     * any direct connection). Sent up front rather than after a 407 challenge: one round trip less, and a
     * wrong password comes back as a plain 407. The launcher's -Djdk.http.auth.tunneling.disabledSchemes=
     * (jlink.conf) lets Basic through, which the JDK blocks on tunnels by default.
     */
    static Secret proxyAuthorization(Network network, URI target) {
        Network.Proxy p = network.proxy();
        if (p == null || p.user() == null || !"https".equalsIgnoreCase(target.getScheme()) || network.bypasses(target.getHost())) {
            return null;
        }
        String pair = p.user() + ":" + p.password().reveal();
        return new Secret("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    private static SSLContext trust(Network network) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {trustManager(network)}, null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("CLARI_CA_BUNDLE could not be used (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The JDK's trusted CA certificates plus those of the bundle, for a TLS-inspecting proxy or a private Clari endpoint. */
    static X509TrustManager trustManager(Network network) {
        List<Certificate> extra = bundle(network);
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (TrustManager tm : defaults.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) store.setCertificateEntry("default-" + n++, c);
                }
            }
            for (Certificate c : extra) store.setCertificateEntry("bundle-" + n++, c);
            TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            both.init(store);
            for (TrustManager tm : both.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) return x;
            }
            throw new KeyStoreException("no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("CLARI_CA_BUNDLE could not be added to the default trust ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The certificates in the PEM file; IllegalArgumentException when unreadable or without any. */
    static List<Certificate> bundle(Network network) {
        byte[] pem;
        try {
            String kind = ClariConfig.notRegularFile(network.caBundle());
            if (kind != null) throw new IllegalArgumentException("CLARI_CA_BUNDLE names " + kind + ": it must be a PEM file");
            try (InputStream in = Files.newInputStream(network.caBundle())) {
                pem = in.readNBytes(MAX_BUNDLE_BYTES + 1);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read CLARI_CA_BUNDLE (" + e.getClass().getSimpleName()
                    + "): check the path and that this user may read the file");
        }
        if (pem.length > MAX_BUNDLE_BYTES) throw new IllegalArgumentException("CLARI_CA_BUNDLE is over 4 MB: expected a PEM file of CA certificates");
        try {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)));
            if (certs.isEmpty()) throw new GeneralSecurityException("empty");
            return certs;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("CLARI_CA_BUNDLE holds no readable certificate: expected PEM "
                    + "(-----BEGIN CERTIFICATE-----) CA certificates");
        }
    }
}
