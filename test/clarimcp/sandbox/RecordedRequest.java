package clarimcp.sandbox;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as the sandbox received it, recorded before auth and fault handling so tests can prove
 * what our client sends (and never sends). {@code path} is the raw path including the base path
 * ({@code /v4/...}); {@code query} is the raw (still percent-encoded) query, "" when absent.
 * Header names are lower-cased and looked up case-insensitively; the {@code apikey} and
 * {@code authorization} values are replaced by {@link #MASK}. {@code body} is UTF-8 decoded, "" when empty.
 */
public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, String body) {
    /** What a credential header value is recorded as. */
    public static final String MASK = "***";

    public RecordedRequest {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(values)));
        headers = Collections.unmodifiableMap(copy);
        query = query == null ? "" : query;
        body = body == null ? "" : body;
    }

    /** The first value of a header (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static Map<String, List<String>> masked(Map<String, List<String>> raw) {
        TreeMap<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        raw.forEach((name, values) -> {
            boolean secret = name.equalsIgnoreCase("apikey") || name.equalsIgnoreCase("authorization");
            List<String> copy = new ArrayList<>(values.size());
            for (String v : values) copy.add(secret ? MASK : v);
            out.put(name, copy);
        });
        return out;
    }
}
