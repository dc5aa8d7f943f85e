package clarimcp.clari;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request a dry run would have sent, fully formed (the allowlist already passed) but with the
 * token and proxy credentials masked: method, URL, the headers this client sets, and the JSON body
 * (null when none).
 */
public record PlannedRequest(String method, URI uri, Map<String, String> headers, String body) {
    /** What the apikey header shows in a dry run. */
    public static final String MASK = "***";

    /** Headers in name order, ignoring case. */
    public PlannedRequest {
        TreeMap<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(headers);
        headers = Collections.unmodifiableMap(sorted);
    }

    static PlannedRequest of(HttpRequest request, String body) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> h : request.headers().map().entrySet()) {
            boolean secret = h.getKey().equalsIgnoreCase("apikey") || h.getKey().equalsIgnoreCase("Proxy-Authorization");
            headers.put(h.getKey(), secret ? MASK : String.join(", ", h.getValue()));
        }
        return new PlannedRequest(request.method(), request.uri(), headers, body);
    }
}
