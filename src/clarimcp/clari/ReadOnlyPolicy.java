package clarimcp.clari;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * What this server may ask of Clari: the only place that decides method, host and path. Every request
 * passes {@link #check} before anything is sent, so a write (PATCH cancels an export job, POST /ingest
 * imports data) cannot be issued by any code path, whatever a tool argument or a nextLink says.
 */
final class ReadOnlyPolicy {
    /** One path segment taken from an argument (forecast id, job id). Not '.' or '..', which would climb the path. */
    static final String SEGMENT = "(?!\\.+(?:/|$))[A-Za-z0-9_.:-]{1,128}";

    private record Rule(String method, String path) {}

    /**
     * Paths are relative to the base URL's path. The single POST queues a forecast export (it writes nothing);
     * GET /forecast/{id} reads the latest week of a forecast synchronously [tap][gitlab].
     */
    private static final List<Rule> ALLOWED = List.of(
            new Rule("GET", "/forecast/" + SEGMENT),
            new Rule("POST", "/export/forecast/" + SEGMENT),
            new Rule("GET", "/export/jobs/" + SEGMENT),
            new Rule("GET", "/export/jobs/" + SEGMENT + "/results"),
            new Rule("GET", "/opportunity"),
            new Rule("GET", "/audit/events"),
            new Rule("GET", "/admin/limits"));

    private final URI base;
    private final String basePath;

    /** base: absolute URL without a trailing slash, e.g. https://api.clari.com/v4. */
    ReadOnlyPolicy(URI base) {
        this.base = base;
        this.basePath = base.getRawPath() == null ? "" : base.getRawPath();
    }

    static boolean isSegment(String value) {
        return value != null && value.matches(SEGMENT);
    }

    /** Throws IllegalStateException unless method and uri are on the allowlist under the base URL. */
    void check(String method, URI uri) {
        String path = uri.getRawPath();
        if (!sameOrigin(uri) || uri.getRawUserInfo() != null || uri.getRawFragment() != null || path == null
                || !path.startsWith(basePath)) {
            throw new IllegalStateException("refused: request outside the Clari base URL");
        }
        String rest = path.substring(basePath.length());
        for (Rule r : ALLOWED) {
            if (r.method.equals(method) && rest.matches(r.path)) return;
        }
        throw new IllegalStateException("refused: " + method + " " + rest + " is not on the read-only allowlist");
    }

    /**
     * The URL of an audit nextLink: relative links resolve against the base; absolute ones must keep the
     * base's scheme, host and port, and every link must still name /audit/events under the base path.
     */
    URI nextLink(String link) throws ClariException {
        if (link == null) throw new ClariException(0, "Clari returned a malformed nextLink");
        URI target;
        try {
            // Clari may write "/audit/events?.." (relative to the API root) or "/v4/audit/events?.." (to the host).
            boolean fromApiRoot = link.startsWith("/") && !link.startsWith("//") && !link.startsWith(basePath + "/");
            target = fromApiRoot ? new URI(base + link) : new URI(base + "/").resolve(new URI(link));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ClariException(0, "Clari returned a malformed nextLink");
        }
        if (!sameOrigin(target) || target.getRawUserInfo() != null) {
            throw new ClariException(0, "refusing to follow nextLink to another host");
        }
        if (!(basePath + "/audit/events").equals(target.getRawPath()) || target.getRawFragment() != null) {
            throw new ClariException(0, "refusing to follow nextLink outside " + basePath + "/audit/events");
        }
        return target;
    }

    private boolean sameOrigin(URI uri) {
        return uri.isAbsolute()
                && base.getScheme().equalsIgnoreCase(uri.getScheme())
                && base.getHost() != null && base.getHost().equalsIgnoreCase(uri.getHost())
                && port(base) == port(uri);
    }

    static int port(URI uri) {
        if (uri.getPort() != -1) return uri.getPort();
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
    }
}
