package clarimcp.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway certificate authority made at test time with the JDK's keytool: a CA, and a server
 * certificate it signed for 127.0.0.1 (SAN ip:127.0.0.1), valid two days. Nothing is trusted by the
 * JDK, so a client accepts the server only when given {@link #caPem()}.
 */
public final class TestTls {
    private static final String PASSWORD = "test-only-store-password";
    /** keytool starts a JVM per step; generous for a loaded 2-core machine. */
    private static final long STEP_TIMEOUT_SECONDS = 60;

    private final Path dir;

    private TestTls(Path dir) {
        this.dir = dir;
    }

    /** Generates the CA and the server certificate in dir (which must exist). */
    public static TestTls create(Path dir) throws IOException, InterruptedException {
        TestTls t = new TestTls(dir);
        t.keytool("-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-keyalg", "EC", "-validity", "2",
                "-dname", "CN=clari-revops-mcp test CA", "-ext", "bc:c");
        t.keytool("-genkeypair", "-keystore", "server.p12", "-alias", "server", "-keyalg", "EC", "-validity", "2",
                "-dname", "CN=127.0.0.1");
        t.keytool("-certreq", "-keystore", "server.p12", "-alias", "server", "-file", "server.csr");
        t.keytool("-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "server.csr", "-outfile", "server.pem",
                "-rfc", "-validity", "2", "-ext", "san=ip:127.0.0.1", "-ext", "eku=serverAuth");
        t.keytool("-exportcert", "-keystore", "ca.p12", "-alias", "ca", "-rfc", "-file", "ca.pem");
        t.keytool("-importcert", "-keystore", "server.p12", "-alias", "ca", "-file", "ca.pem", "-noprompt");
        t.keytool("-importcert", "-keystore", "server.p12", "-alias", "server", "-file", "server.pem", "-noprompt");
        return t;
    }

    /** The CA certificate, PEM: what CLARI_CA_BUNDLE points at. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A TLS context serving the 127.0.0.1 certificate (with its chain). */
    public SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }
}
