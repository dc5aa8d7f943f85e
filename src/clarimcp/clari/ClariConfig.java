package clarimcp.clari;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration from the environment (only Main reads the real environment and passes it in).
 * Every bad value is an IllegalArgumentException naming the variable and what is expected; no message
 * ever repeats the token. The exception: a bad poll, cache or export-budget setting only concerns get_forecast,
 * so it is kept in pollProblem (which ForecastExport.PollBudget and get_forecast report) rather than disabling every tool.
 */
public record ClariConfig(
        Secret token,               // CLARI_API_TOKEN (required unless tokenFile is set)
        URI baseUrl,                // CLARI_BASE_URL, default https://api.clari.com/v4
        String forecastId,          // CLARI_FORECAST_ID, may be null
        int pollMaxAttempts,        // CLARI_POLL_MAX_ATTEMPTS, default 12
        Duration pollInterval,      // CLARI_POLL_INTERVAL_SECONDS, default 5
        Set<String> pipelineEvents, // CLARI_PIPELINE_EVENTS (comma-separated), null = built-in default
        Path tokenFile,             // CLARI_API_TOKEN_FILE: absolute path of a file holding the token, read per use; null = none
        Network network,            // HTTPS_PROXY, NO_PROXY, CLARI_CA_BUNDLE (see Network below)
        String pollProblem,         // what is wrong with the two poll settings (defaults used meanwhile), or null
        Duration callTimeout,       // CLARI_CALL_TIMEOUT_SECONDS: wall clock per tool call, retries and paging included
        int callMaxBytes,           // CLARI_CALL_MAX_MB: bytes read from Clari per tool call, all responses together
        int cacheSeconds,           // CLARI_CACHE_SECONDS, default 300; 0 = no cache
        int maxExportsPerHour       // CLARI_MAX_EXPORTS_PER_HOUR, default 30; 0 = never start an export
) {
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.clari.com/v4");
    public static final int DEFAULT_POLL_MAX_ATTEMPTS = 12;
    /** Upper bound on polls: with the longest interval this is still under a day of waiting. */
    public static final int MAX_POLL_ATTEMPTS = 1000;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    /** Longest poll interval: beyond five minutes a tool call would look hung. */
    public static final long MAX_POLL_INTERVAL_SECONDS = 300;
    /** Per tool call: long enough for a slow export and its polls, short enough that a stuck call ends while someone waits. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(5);
    /** Longest per-call limit one may set: beyond 15 minutes an MCP client has long given up. */
    public static final long MAX_CALL_TIMEOUT_SECONDS = 900;
    /**
     * Bytes read from Clari per tool call, all responses together: one largest export; the parsed trees of
     * that much JSON (10-16 times the bytes) still fit the heap set in jlink.conf. May only be lowered.
     */
    public static final int MAX_CALL_MB = 64;
    /** An identical get_forecast within this is answered from memory: Clari's forecast moves by the hour, not the minute. */
    public static final int DEFAULT_CACHE_SECONDS = 300;
    /** Longest cache age: a day-old forecast answered as current would mislead more than it saves. */
    public static final int MAX_CACHE_SECONDS = 86_400;
    /** Export jobs started per sliding hour: enough for a forecast call's questions, far below a monthly quota. */
    public static final int DEFAULT_MAX_EXPORTS_PER_HOUR = 30;
    /** Upper bound of the setting: beyond it the budget would not protect any real quota. */
    public static final int MAX_EXPORTS_PER_HOUR = 10_000;

    static final String MISSING_TOKEN = "CLARI_API_TOKEN is not set: create a token in Clari under "
            + "Account Settings → API Token and set it in the server's env";
    /** What a header value may hold (RFC 9110 field-vchar, no spaces): anything else cannot be sent as apikey. */
    static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]+");
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    /** A value that is only an unsubstituted variable, e.g. ${user_config.forecast_id}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[^{}]*\\}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** [+]digits[.digits][e[+-]digits] (a digit on either side of the point); 6 exponent digits: no int overflow. */
    private static final Pattern DECIMAL = Pattern.compile("\\+?(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d{1,6}))?");
    private static final String PROXY_SHAPE = ": expected http://[user:password@]host[:port]";

    public ClariConfig {
        if ((token == null) == (tokenFile == null)) throw new IllegalArgumentException("exactly one of token and tokenFile");
        if (callMaxBytes <= 0) throw new IllegalArgumentException("callMaxBytes must be positive");
        if (pipelineEvents != null) pipelineEvents = Collections.unmodifiableSet(new LinkedHashSet<>(pipelineEvents));
    }

    /** Parses the environment; throws IllegalArgumentException naming the bad variable. No file is read here. */
    public static ClariConfig fromEnv(Map<String, String> env) {
        Path tokenFile = absolutePath(value(env, "CLARI_API_TOKEN_FILE"),
                "CLARI_API_TOKEN_FILE must be the absolute path of a file holding the token");
        if (tokenFile != null && value(env, "CLARI_API_TOKEN") != null) {
            throw new IllegalArgumentException("both CLARI_API_TOKEN and CLARI_API_TOKEN_FILE are set: keep only one "
                    + "(CLARI_API_TOKEN_FILE lets a secrets manager rotate the token without a restart)");
        }
        int attempts = DEFAULT_POLL_MAX_ATTEMPTS;
        Duration interval = DEFAULT_POLL_INTERVAL;
        int cache = DEFAULT_CACHE_SECONDS;
        int exports = DEFAULT_MAX_EXPORTS_PER_HOUR;
        String pollProblem = null;
        try {
            attempts = wholeNumber(env, "CLARI_POLL_MAX_ATTEMPTS", DEFAULT_POLL_MAX_ATTEMPTS, 1, MAX_POLL_ATTEMPTS, "");
            interval = seconds(env, "CLARI_POLL_INTERVAL_SECONDS", DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL_SECONDS,
                    ", e.g. 0.5)");
            cache = wholeNumber(env, "CLARI_CACHE_SECONDS", DEFAULT_CACHE_SECONDS, 0, MAX_CACHE_SECONDS, "; 0 turns the cache off");
            exports = wholeNumber(env, "CLARI_MAX_EXPORTS_PER_HOUR", DEFAULT_MAX_EXPORTS_PER_HOUR, 0, MAX_EXPORTS_PER_HOUR,
                    "; 0 allows no export job");
        } catch (IllegalArgumentException e) {
            pollProblem = e.getMessage() + "; until then forecast exports are off (history, and the fallback where the synchronous read is missing); the current week and the other tools work";
        }
        return new ClariConfig(
                tokenFile != null ? null : token(value(env, "CLARI_API_TOKEN")),
                baseUrl(value(env, "CLARI_BASE_URL")),
                forecastId(value(env, "CLARI_FORECAST_ID")),
                attempts,
                interval,
                pipelineEvents(value(env, "CLARI_PIPELINE_EVENTS")),
                tokenFile,
                new Network(proxy(value(env, "HTTPS_PROXY", "https_proxy")), noProxy(value(env, "NO_PROXY", "no_proxy")),
                        absolutePath(value(env, "CLARI_CA_BUNDLE"),
                                "CLARI_CA_BUNDLE must be the absolute path of a PEM file of CA certificates")),
                pollProblem,
                seconds(env, "CLARI_CALL_TIMEOUT_SECONDS", DEFAULT_CALL_TIMEOUT, MAX_CALL_TIMEOUT_SECONDS,
                        "); default " + DEFAULT_CALL_TIMEOUT.toSeconds()),
                wholeNumber(env, "CLARI_CALL_MAX_MB", MAX_CALL_MB, 1, MAX_CALL_MB, "") << 20,
                cache,
                exports);
    }

    /**
     * The variables of ours (CLARI_*, the proxy ones) whose value is a whole ${...} placeholder: what an MCP
     * client such as Claude Desktop passes for a bundle setting it did not fill in. They mean "unset".
     */
    public static Set<String> placeholders(Map<String, String> env) {
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String n = e.getKey();
            boolean ours = n.startsWith("CLARI_") || n.equalsIgnoreCase("HTTPS_PROXY") || n.equalsIgnoreCase("NO_PROXY");
            if (ours && PLACEHOLDER.matcher(e.getValue().strip()).matches()) names.add(n);
        }
        return names;
    }

    /**
     * The trimmed value of the first of names that is set, or null when none is (blank counts as unset: an empty
     * variable in a compose file means "unset").
     */
    private static String value(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) return v.strip();
        }
        return null;
    }

    private static Secret token(String v) {
        if (v == null) throw new IllegalArgumentException(MISSING_TOKEN);
        if (!TOKEN.matcher(v).matches()) {
            throw new IllegalArgumentException("CLARI_API_TOKEN holds spaces, control or non-ASCII characters: "
                    + "expected the token exactly as Clari shows it");
        }
        return new Secret(v);
    }

    /**
     * v as an absolute path, or null when unset; a relative path would depend on the directory the MCP
     * client starts us in, so it is refused with the given message.
     */
    private static Path absolutePath(String v, String problem) {
        if (v == null) return null;
        try {
            Path p = Path.of(v);
            if (p.isAbsolute()) return p;
        } catch (InvalidPathException e) {
            // reported below
        }
        throw new IllegalArgumentException(problem);
    }

    /**
     * Null when path is a regular file, else what it is ("a FIFO", ...), for "CLARI_X names a FIFO: ...".
     * Checked before each open: opening a FIFO blocks until its other end is opened (a hung start-up or call),
     * and a device may never end. A file swapped between this check and the open is not caught (Java cannot
     * open without blocking or check the opened descriptor); that needs write access to the directory, which
     * already allows replacing the file's content. Throws IOException when the path cannot be read.
     */
    public static String notRegularFile(Path path, LinkOption... options) throws IOException {
        return notRegularFile(Files.readAttributes(path, BasicFileAttributes.class, options));
    }

    /** The same for attributes already read (TokenSource needs them for its own reasons). */
    static String notRegularFile(BasicFileAttributes a) {
        if (a.isRegularFile()) return null;
        if (a.isDirectory()) return "a directory";
        if (a.isSymbolicLink()) return "a symbolic link";
        return "a FIFO, socket or device";
    }

    /** Absolute https URL; plain http only to a loopback host, since the token must not cross a network in clear. */
    static URI baseUrl(String v) {
        if (v == null) return DEFAULT_BASE_URL;
        String expected = ": expected an absolute https URL such as " + DEFAULT_BASE_URL;
        URI u;
        try {
            u = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("CLARI_BASE_URL is not a valid URL" + expected);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!u.isAbsolute() || u.isOpaque() || u.getHost() == null) {
            throw new IllegalArgumentException("CLARI_BASE_URL is not an absolute URL with a host" + expected);
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("CLARI_BASE_URL must not contain user info, a query or a fragment" + expected);
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("CLARI_BASE_URL has scheme '" + scheme + "'" + expected);
        }
        if (scheme.equals("http") && !isLoopback(u.getHost())) {
            throw new IllegalArgumentException("CLARI_BASE_URL uses http to a non-loopback host: the API token would "
                    + "cross the network in clear text; use https (http is allowed only for 127.0.0.1, ::1, localhost)");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("CLARI_BASE_URL must not contain '.' or '..' path segments" + expected);
            }
        }
        return URI.create(scheme + "://" + u.getRawAuthority() + path);
    }

    /** Loopback by literal only (no DNS lookup): 127.0.0.0/8, ::1 and localhost. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) return true;
        // 127.0.0.0/8 without InetAddress: its initialisation (security properties, resolver) took a few ms
        // of every start against a loopback URL, before the initialize reply.
        if (IPV4.matcher(h).matches()) {
            for (String octet : h.split("\\.")) if (Integer.parseInt(octet) > 255) return false;
            return h.startsWith("127.");
        }
        if (!h.startsWith("[")) return false;
        try {
            // An IP literal: getByName parses it without any lookup.
            return InetAddress.getByName(h.substring(1, h.length() - 1)).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * A forecast tab id, the one rule for CLARI_FORECAST_ID and get_forecast's forecast_id: 1-128 letters, digits,
     * _ . : - and never starting with '.' (so never the path segments "." or ".."; ids are words from the Clari URL).
     */
    public static final Pattern FORECAST_ID = Pattern.compile("[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,127}");

    private static String forecastId(String v) {
        if (v == null || FORECAST_ID.matcher(v).matches()) return v;
        throw new IllegalArgumentException("CLARI_FORECAST_ID must be a forecast tab id from the Clari URL "
                + "(1-128 letters, digits, _ . : -), e.g. net_arr");
    }

    /** A whole number from min to max (12.0 accepted, as a client may send a number setting); def when unset. */
    private static int wholeNumber(Map<String, String> env, String name, int def, int min, int max, String note) {
        String v = value(env, name);
        if (v == null) return def;
        try {
            int n = Integer.parseInt(v.replaceFirst("\\.0+$", ""));
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + note + ", e.g. " + def);
    }

    /** A number of seconds above 0 and at most max (decimals allowed; the message ends with tail); def when unset. */
    private static Duration seconds(Map<String, String> env, String name, Duration def, long max, String tail) {
        String v = value(env, name);
        if (v == null) return def;
        long nanos = decimalSecondsToNanos(v);
        if (nanos > 0 && nanos <= max * 1_000_000_000L) return Duration.ofNanos(nanos);
        throw new IllegalArgumentException(name + " must be a number of seconds above 0 and at most " + max
                + " (decimals allowed" + tail);
    }

    /**
     * A decimal number of seconds ([+]digits[.digits][e[+-]digits], as BigDecimal reads it) in whole
     * nanoseconds rounded up, so a tiny positive value never becomes zero; -1 when it is not such a number
     * or is 1,000 s or more. Exact integer arithmetic, not BigDecimal: initialising BigDecimal (and the
     * ForkJoinPool it pulls in) took several ms of every start, before the initialize reply.
     */
    static long decimalSecondsToNanos(String v) {
        Matcher m = DECIMAL.matcher(v);
        if (!m.matches()) return -1;
        String fraction = m.group(2) == null ? "" : m.group(2);
        if (m.group(1).isEmpty() && fraction.isEmpty()) return -1;
        String digits = (m.group(1) + fraction).replaceFirst("^0+", "");   // integer and fraction digits
        if (digits.isEmpty()) return 0;
        int shift = 9 + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3))) - fraction.length(); // nanos = digits * 10^shift
        if (digits.length() + shift > 12) return -1;    // at least 10^12 ns
        if (shift >= 0) return Long.parseLong(digits) * (long) Math.pow(10, shift); // exact: integers, result below 2^53
        int whole = digits.length() + shift;            // how many of the digits are whole nanoseconds
        if (whole <= 0) return 1;                       // below 1 ns (digits starts with a non-zero digit)
        long nanos = Long.parseLong(digits.substring(0, whole));
        return digits.substring(whole).matches("0*") ? nanos : nanos + 1;
    }

    private static Set<String> pipelineEvents(String v) {
        if (v == null) return null;
        Set<String> events = new LinkedHashSet<>();
        for (String part : v.split(",")) {
            String name = part.strip();
            if (name.isEmpty()) continue;
            if (!EVENT_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("CLARI_PIPELINE_EVENTS must be event names separated by commas "
                        + "(each 1-128 letters, digits, _ . : -), e.g. opportunity.updated,OPPORTUNITY_STAGE_CHANGED");
            }
            events.add(name);
        }
        if (events.isEmpty()) throw new IllegalArgumentException("CLARI_PIPELINE_EVENTS lists no event names");
        return events;
    }

    private static Network.Proxy proxy(String v) {
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
        return new Network.Proxy(u.getHost(), u.getPort() == -1 ? 80 : u.getPort(), user, password);
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

    /**
     * How to reach Clari on an enterprise network: an HTTPS proxy (HTTPS_PROXY or https_proxy, with
     * optional user:password), the hosts that bypass it (NO_PROXY or no_proxy), and a corporate CA
     * bundle added to the default trust (CLARI_CA_BUNDLE). Parsed from the environment without I/O;
     * messages never repeat a proxy URL, which may hold a password. {@link Transport} builds the client.
     */
    public record Network(Proxy proxy, List<String> noProxy, Path caBundle) {
        /** An HTTP proxy that tunnels (CONNECT) to Clari; user is null when the proxy needs no credentials. */
        public record Proxy(String host, int port, String user, Secret password) {}

        public Network {
            noProxy = List.copyOf(noProxy);
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
}
