package clarimcp.clari;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How to reach Clari on an enterprise network: an HTTPS proxy (HTTPS_PROXY or https_proxy, with
 * optional user:password), the hosts that bypass it (NO_PROXY or no_proxy), and a corporate CA
 * bundle added to the default trust (CLARI_CA_BUNDLE). Parsed from the environment without I/O;
 * messages never repeat a proxy URL, which may hold a password.
 */
public record Network(Proxy proxy, List<String> noProxy, Path caBundle) {
    /** An HTTP proxy that tunnels (CONNECT) to Clari; user is null when the proxy needs no credentials. */
    public record Proxy(String host, int port, String user, Secret password) {}

    /** No proxy of our own (the JDK's -Dhttps.proxyHost still applies), no extra trust. */
    public static final Network DEFAULT = new Network(null, List.of(), null);
    private static final String PROXY_SHAPE = ": expected http://[user:password@]host[:port]";

    public Network {
        noProxy = List.copyOf(noProxy);
    }

    static Network fromEnv(Map<String, String> env) {
        return new Network(proxy(first(env, "HTTPS_PROXY", "https_proxy")), noProxy(first(env, "NO_PROXY", "no_proxy")),
                caBundle(first(env, "CLARI_CA_BUNDLE")));
    }

    /** The first of the variables that is set and not blank, stripped; else null. */
    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) return v.strip();
        }
        return null;
    }

    private static Proxy proxy(String v) {
        if (v == null) return null;
        URI u;
        try {
            u = new URI(v.contains("://") ? v : "http://" + v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("HTTPS_PROXY is not a valid URL" + PROXY_SHAPE);
        }
        if (!"http".equalsIgnoreCase(u.getScheme())) {
            throw new IllegalArgumentException("HTTPS_PROXY must use http:// (the connection to Clari through it is still "
                    + "TLS end to end)" + PROXY_SHAPE);
        }
        if (u.getHost() == null || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("HTTPS_PROXY must name just a host and port" + PROXY_SHAPE);
        }
        String user = null;
        Secret password = null;
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length == 2 && !parts[1].isEmpty() ? new Secret(decode(parts[1])) : null;
            if (user.isEmpty() || password == null) {
                throw new IllegalArgumentException("HTTPS_PROXY credentials must be user:password (percent-encode ':' and '@')" + PROXY_SHAPE);
            }
        }
        return new Proxy(u.getHost(), u.getPort() == -1 ? 80 : u.getPort(), user, password);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HTTPS_PROXY credentials hold a bad %-escape" + PROXY_SHAPE);
        }
    }

    /** Comma- or space-separated entries, lower-cased: *, a host, a domain (.corp.example or corp.example), an IP. */
    private static List<String> noProxy(String v) {
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        for (String part : v.split("[,\\s]+")) {
            if (!part.isEmpty()) out.add(part.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Path caBundle(String v) {
        return ClariConfig.absolutePath(v, "CLARI_CA_BUNDLE must be the absolute path of a PEM file of CA certificates");
    }

    /**
     * Whether host bypasses the proxy per NO_PROXY, as curl reads it: "*" matches all; an entry matches the
     * host itself and its subdomains; a leading "." or "*." is the same; a ":port" on an entry is ignored.
     */
    public boolean bypasses(String host) {
        String h = unbracket(host.toLowerCase(Locale.ROOT));
        for (String rule : noProxy) {
            if (rule.equals("*")) return true;
            String r = unbracket(withoutPort(rule));
            if (r.startsWith("*.")) r = r.substring(1);
            if (r.startsWith(".")) r = r.substring(1);
            if (!r.isEmpty() && (h.equals(r) || h.endsWith("." + r))) return true;
        }
        return false;
    }

    private static String withoutPort(String rule) {
        if (rule.startsWith("[")) {
            int end = rule.indexOf(']');
            return end < 0 ? rule : rule.substring(0, end + 1);
        }
        int colon = rule.indexOf(':');
        return colon >= 0 && colon == rule.lastIndexOf(':') ? rule.substring(0, colon) : rule; // a bare IPv6 keeps its colons
    }

    private static String unbracket(String h) {
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
