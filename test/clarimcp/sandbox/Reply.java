package clarimcp.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import java.net.URLDecoder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One response before fault post-processing, plus the error shapes Clari uses and query parsing. */
record Reply(int status, Map<String, String> headers, byte[] body) {
    static final String JSON_TYPE = "application/json";
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply json(int status, Json value) {
        return new Reply(status, Map.of("Content-Type", JSON_TYPE), JsonWriter.write(value).getBytes(UTF_8));
    }

    /** The general error shape: {@code {"errors":[{"status":"404","message":"..."}]}}. */
    static Reply errors(int status, String message) {
        Json error = Json.obj("status", Integer.toString(status), "message", message);
        return json(status, Json.obj("errors", ObjBuilder.arr(error)));
    }

    /** The sandbox org's Clari account id, as error bodies carry it in orgId [spec]. */
    static final String ORG_ID = "5f0c2a7e41d9b300126e8a31";

    /**
     * The forecast and export error shape [spec]: {@code {"code","namespace","errorId","message","orgId"}};
     * namespace is "fcw" for forecast errors and "exports" for job errors, as in the spec's examples.
     */
    static Reply clariError(int status, String namespace, String code, String message) {
        return json(status, Json.obj("code", code,
                "namespace", namespace,
                "errorId", UUID.randomUUID().toString(),
                "message", message,
                "orgId", ORG_ID));
    }

    /** A bad or missing apikey [spec: "Response Object for Authentication Failure"]. */
    static Reply badToken() {
        return json(401, Json.obj("message", "Invalid authentication credentials"));
    }

    /** A proxy-style HTML error page, as a load balancer in front of Clari would send. */
    static Reply html(int status) {
        String page = "<html><head><title>" + status + " Server Error</title></head><body><h1>"
                + status + " Server Error</h1><p>The upstream server is unavailable.</p></body></html>";
        return new Reply(status, Map.of("Content-Type", "text/html; charset=utf-8"), page.getBytes(UTF_8));
    }

    static Reply empty(int status, Map<String, String> headers) {
        return new Reply(status, headers, new byte[0]);
    }

    /** Clari's timestamp style: {@code 2026-05-01T10:00:00.000Z}. */
    static String timestamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    /** Decodes a raw query into name -> values in order; a name without '=' has value "". */
    static Map<String, List<String>> params(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return out;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    /** The single value of a parameter, or null when absent (the first one when repeated). */
    static String param(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, UTF_8);
        } catch (IllegalArgumentException badEscape) {
            return s; // a malformed %-escape is kept literally, so it fails validation downstream
        }
    }
}
