package clarimcp.clari;

import clarimcp.json.Json;
import java.util.List;
import java.util.Map;

/**
 * TODO(skeleton): implemented by the Clari client work. Signatures are fixed: tools code against them.
 */
public final class ClariClient {
    public ClariClient(ClariConfig config) {}

    /** POST /export/forecast/{forecastId} with a JSON body; returns the parsed answer ({"jobId":...}). */
    public Json submitForecastExport(String forecastId, Json.Obj body) throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }

    /** GET /export/jobs/{jobId}. */
    public Json exportJob(String jobId) throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }

    /** GET /export/jobs/{jobId}/results. */
    public Json exportResults(String jobId) throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }

    /** GET /opportunity?oppId=..&oppId=.. (at most 100 ids per call). */
    public Json opportunities(List<String> oppIds) throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }

    /** GET /audit/events with the given query parameters (e.g. dateFrom, dateTo, limit). */
    public Json auditEvents(Map<String, String> query) throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }

    /** GET the nextLink of an audit page (relative or absolute; other hosts refused). */
    public Json auditEventsPage(String nextLink) throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }

    /** GET /admin/limits. */
    public Json adminLimits() throws ClariException, InterruptedException {
        throw new UnsupportedOperationException("skeleton");
    }
}
